import { BynderClient } from '../bynder/BynderClient';
import { type ConnectionFailure, describeConnectionFailure } from '../bynder/connection-failure';
import { type Credentials, secretsOf } from '../config';
import type { PortalOrigin } from '../portal-url';
import { redactSecrets } from '../redact';
import type { Logger } from '../runtime-ports';

// "Test connection", Save of the connection, and ready(): one cheap authenticated request.

/** A person waits on the form: one attempt, no retries, and a shorter wait than deliver()'s. */
const CONNECTION_TEST_TIMEOUT_MS = 15_000;

export interface ConnectionTarget {
  portalUrl: PortalOrigin;
  credentials: Credentials;
}

export type ConnectionCheck = { ok: true } | { ok: false; failure: ConnectionFailure };

/** A client for one form action: a single attempt per request, so a test costs one request (two with OAuth). */
export function createFormClient(
  target: ConnectionTarget,
  logger: Logger,
  beforeRequest?: () => Promise<void>,
): BynderClient {
  return new BynderClient({
    beforeRequest,
    portalUrl: target.portalUrl,
    credentials: target.credentials,
    logger,
    retries: 0,
    timeoutMs: CONNECTION_TEST_TIMEOUT_MS,
  });
}

/**
 * Sends Bynder's cheapest authenticated request (plus the token request for OAuth) and says, on
 * failure, whether the portal, the credentials or the user's rights are at fault.
 */
export async function checkConnection(
  target: ConnectionTarget,
  logger: Logger,
  /** The install's request budget: a form's or ready()'s requests count against it like deliver()'s. */
  beforeRequest?: () => Promise<void>,
): Promise<ConnectionCheck> {
  const method =
    target.credentials.kind === 'permanent_token' ? 'permanent token' : 'OAuth client credentials';
  try {
    await createFormClient(target, logger, beforeRequest).testConnection();
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
