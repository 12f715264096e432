import { BynderClient } from '../bynder/BynderClient';
import type { ResponseInfo } from '../bynder/client-options';
import type { AppConfig } from '../config';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { createInstallBudget } from './install-budget';
import { createRequestBudget, type RequestBudget } from './request-budget';

// The Bynder client that deliver() and the schema function use: every HTTP attempt (writes,
// lookups, metaproperty listing, retries, OAuth token requests) waits for the request budget. Given
// the install's kvStore, the budget is the install's, shared by every invocation in every process
// (install-budget.ts); without one it paces only with this process's budgets for the same portal.

export interface PacedClient {
  api: BynderClient;
  /** deliver() halts it after a 429, so nothing more leaves this invocation. */
  budget: RequestBudget;
}

export function createPacedClient(
  config: Pick<AppConfig, 'portalUrl' | 'credentials' | 'requestsPerSecond'>,
  deps: { logger: Logger; clock: Clock; kvStore?: KeyValueStore; onResponse?: (info: ResponseInfo) => void },
): PacedClient {
  const { portalUrl, credentials, requestsPerSecond } = config;
  const { logger, clock, kvStore, onResponse } = deps;
  const budget = kvStore
    ? createInstallBudget({ requestsPerSecond, clock, kvStore })
    : createRequestBudget({ requestsPerSecond, clock, shareKey: portalUrl });
  const api = new BynderClient({
    portalUrl,
    credentials,
    logger,
    clock,
    beforeRequest: budget.acquire,
    onResponse,
  });
  return { api, budget };
}
