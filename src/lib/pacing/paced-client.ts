import { BynderClient } from '../bynder/BynderClient';
import type { RequestDeadline, ResponseInfo } from '../bynder/client-options';
import type { AppConfig } from '../config';
import type { Clock, InstallScope, KeyValueStore, Logger, Random } from '../runtime-ports';
import { createInstallBudget, type InstallBudget } from './install-budget';
import type { RateLimitBlock } from './rate-limit-block';
import type { RequestBudget } from './request-budget';
import { createRateLimitGuard, type RateLimitGuard } from './rate-limit-guard';

// The Bynder client that deliver() and the schema function use: every HTTP attempt (writes,
// lookups, metaproperty listing, retries, OAuth token requests) passes the rate-limit guard (no
// request during a stored block; any 429 stores one) and waits for the install's request budget,
// shared through the kvStore by every invocation in every process (install-budget.ts).

export interface PacedClient {
  api: BynderClient;
  /** deliver() halts it after a 429, so nothing more leaves this invocation. */
  budget: InstallBudget;
  rateLimit: RateLimitGuard;
}

export function createPacedClient(
  config: Pick<AppConfig, 'portalUrl' | 'credentials' | 'requestsPerSecond'>,
  deps: InstallScope & {
    logger: Logger;
    clock: Clock;
    kvStore: KeyValueStore;
    /** Backoff jitter; absent, the system's. */
    random?: Random;
    onResponse?: (info: ResponseInfo) => void;
    deadline?: RequestDeadline;
    /** The stored block, when the caller has read it already (saves the guard's read). */
    alreadyRead?: { block: RateLimitBlock | undefined };
  },
): PacedClient {
  const { portalUrl, credentials, requestsPerSecond } = config;
  const { logger, clock, kvStore, onResponse, deadline, random } = deps;
  const budget = createInstallBudget({
    requestsPerSecond,
    clock,
    kvStore,
    ...(deadline ? { deadline } : {}),
  });
  const rateLimit = createRateLimitGuard(deps);
  const api = new BynderClient({
    portalUrl,
    credentials,
    logger,
    clock,
    install: deps.install,
    ...(random ? { random: () => random.fraction() } : {}),
    beforeRequest: gateRequest(rateLimit, budget),
    onResponse: async (info) => {
      onResponse?.(info);
      await rateLimit.onResponse(info);
    },
    ...(deadline ? { deadline } : {}),
  });
  return { api, budget, rateLimit };
}

/** What every request waits for: no stored block, then its start from the install's budget. */
export function gateRequest(rateLimit: RateLimitGuard, budget: RequestBudget): () => Promise<void> {
  return async () => {
    await rateLimit.beforeRequest();
    await budget.acquire();
    // Another request of this invocation may have met a 429 while this one waited its turn.
    await rateLimit.beforeRequest();
  };
}
