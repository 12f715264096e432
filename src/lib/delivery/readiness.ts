import type { AppConfig } from '../config';
import { KV_ROWS } from '../kv-rows';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { checkConnection } from '../settings/connection-test';
import { contentHash } from './content-hash';
import { createInstallBudget } from './install-budget';

// Destination.ready(): are the settings complete and do the credentials work? OCP may ask often, so
// the answer is kept a minute (one kvStore row) and Bynder sees at most one check a minute. The row
// is tied to a fingerprint of portal and credentials, so saving new settings takes effect at once.

const READINESS_KEY = KV_ROWS.readiness.key;
export const READINESS_CACHE_MS = 60_000;

export interface Readiness {
  ready: boolean;
  message: string;
}

export async function checkReadiness(
  config: AppConfig,
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger },
): Promise<Readiness> {
  const { kvStore, clock } = deps;
  const fingerprint = fingerprintOf(config);
  const row = await kvStore.get(READINESS_KEY);
  if (
    row.fingerprint === fingerprint &&
    typeof row.checkedAt === 'number' &&
    clock.now() - row.checkedAt < READINESS_CACHE_MS &&
    typeof row.ready === 'boolean' &&
    typeof row.message === 'string'
  ) {
    return { ready: row.ready, message: row.message };
  }
  const budget = createInstallBudget({ requestsPerSecond: config.requestsPerSecond, clock, kvStore });
  const check = await checkConnection(config, deps.logger, budget.acquire);
  const readiness = check.ok
    ? { ready: true, message: `Connected to ${config.portalUrl}` }
    : { ready: false, message: check.failure.message };
  await kvStore.put(
    READINESS_KEY,
    { fingerprint, checkedAt: clock.now(), ...readiness },
    { ttl: KV_ROWS.readiness.ttlSeconds },
  );
  return readiness;
}

/** Portal and credentials, hashed: the row never holds a secret, yet changes when one changes. */
function fingerprintOf(config: AppConfig): string {
  const c = config.credentials;
  return contentHash([
    config.portalUrl,
    c.kind,
    ...(c.kind === 'permanent_token' ? [c.token] : [c.clientId, c.clientSecret]),
  ]);
}
