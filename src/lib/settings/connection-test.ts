import { BynderClient } from '../bynder/BynderClient';
import { describeConnectionFailure } from '../bynder/connection-failure';
import type { ConnectionFailure } from '../bynder/connection-problem';
import type { Credentials } from '../config';
import type { PortalOrigin } from '../portal-url';
import { redactSecrets } from '../redact';
import { secretsOf } from '../secret-values';
import type { RateLimitBlock } from '../pacing/rate-limit-block';
import { createInstallBudget } from '../pacing/install-budget';
import { gateRequest } from '../pacing/paced-client';
import { createRateLimitGuard } from '../pacing/rate-limit-guard';
import type { Clock, InstallScope, KeyValueStore, Logger } from '../runtime-ports';

// "Test connection", Save of the connection, and ready(): one cheap authenticated request.

/** A person waits on the form: one attempt, no retries, and a shorter wait than deliver()'s. */
const CONNECTION_TEST_TIMEOUT_MS = 15_000;

export interface ConnectionTarget {
  portalUrl: PortalOrigin;
  credentials: Credentials;
}

export type ConnectionCheck = { ok: true } | { ok: false; failure: ConnectionFailure };

export interface FormClientDeps extends InstallScope {
  logger: Logger;
  kvStore: KeyValueStore;
  clock: Clock;
  /** The install's request budget: a form's or ready()'s requests count against it like deliver()'s. */
  requestsPerSecond: number;
  /** The stored rate-limit block, when the caller has read it already (ready() does). */
  alreadyRead?: { block: RateLimitBlock | undefined };
}

/**
 * A client for one form action: a single attempt per request, so a test costs one request (two with
 * OAuth). It passes the rate-limit guard (nothing is sent during a stored block, and a 429 stores
 * one) and takes its starts from the install's request budget, beside every running deliver().
 */
export function createFormClient(target: ConnectionTarget, deps: FormClientDeps): BynderClient {
  const guard = createRateLimitGuard(deps);
  const budget = createInstallBudget(deps);
  return new BynderClient({
    portalUrl: target.portalUrl,
    credentials: target.credentials,
    logger: deps.logger,
    clock: deps.clock,
    install: deps.install,
    retries: 0,
    timeoutMs: CONNECTION_TEST_TIMEOUT_MS,
    beforeRequest: gateRequest(guard, budget),
    onResponse: guard.onResponse,
  });
}

/**
 * Sends Bynder's cheapest authenticated request (plus the token request for OAuth) and says, on
 * failure, whether the portal, the credentials or the user's rights are at fault.
 */
export async function checkConnection(
  target: ConnectionTarget,
  deps: FormClientDeps,
): Promise<ConnectionCheck> {
  const { logger } = deps;
  const method =
    target.credentials.kind === 'permanent_token' ? 'permanent token' : 'OAuth client credentials';
  try {
    await createFormClient(target, deps).testConnection();
    logger.info(`Bynder connection test passed: ${target.portalUrl} (${method})`);
    return { ok: true };
  } catch (error) {
    const failure = describeConnectionFailure(error, target);
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.warn(
      redactSecrets(
        `Bynder connection test failed: ${target.portalUrl} (${method}): ${failure.problem}; ${cause}`,
        secretsOf(target.credentials),
      ),
    );
    return { ok: false, failure };
  }
}
