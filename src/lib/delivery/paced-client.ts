import { BynderClient } from '../bynder/BynderClient';
import type { RequestDeadline, ResponseInfo } from '../bynder/client-options';
import type { AppConfig } from '../config';
import type { Clock, Logger } from '../runtime-ports';
import { createRequestBudget, type RequestBudget } from './request-budget';

// The Bynder client that deliver() and the schema function use: every HTTP attempt (writes,
// lookups, metaproperty listing, retries, OAuth token requests) waits for the request budget, which
// paces with every other budget for the same portal in this process.

export interface PacedClient {
  api: BynderClient;
  /** deliver() halts it after a 429, so nothing more leaves this invocation. */
  budget: RequestBudget;
}

export function createPacedClient(
  config: Pick<AppConfig, 'portalUrl' | 'credentials' | 'requestsPerSecond'>,
  deps: {
    logger: Logger;
    clock: Clock;
    onResponse?: (info: ResponseInfo) => void;
    deadline?: RequestDeadline;
  },
): PacedClient {
  const { portalUrl, credentials, requestsPerSecond } = config;
  const { logger, clock, onResponse, deadline } = deps;
  const budget = createRequestBudget({ requestsPerSecond, clock, shareKey: portalUrl });
  const api = new BynderClient({
    portalUrl,
    credentials,
    logger,
    clock,
    beforeRequest: budget.acquire,
    onResponse,
    ...(deadline ? { deadline } : {}),
  });
  return { api, budget };
}
