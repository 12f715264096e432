import type { AppConfig } from '../config';
import type { Clock, KeyValueStore } from '../runtime-ports';
import { contentHash } from './content-hash';

// Destination.ready(): are the settings complete and do the credentials work? OCP may ask often, so
// the answer is kept a minute (one kvStore row) and Bynder sees at most one check a minute. The row
// is tied to a fingerprint of portal and credentials, so saving new settings takes effect at once.

export const READINESS_KEY = 'delivery_readiness';
export const READINESS_CACHE_MS = 60_000;

export interface Readiness {
  ready: boolean;
  message: string;
}

/** One connection test, e.g. src/lib/settings/check-connection.ts's checkConnection. */
export type ConnectionTest = () => Promise<{ ok: true } | { ok: false; failure: { message: string } }>;

export async function checkReadiness(
  config: AppConfig,
  deps: { testConnection: ConnectionTest; kvStore: KeyValueStore; clock: Clock },
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
  const check = await deps.testConnection();
  const readiness = check.ok
    ? { ready: true, message: `Connected to ${config.portalUrl}` }
    : { ready: false, message: check.failure.message };
  await kvStore.put(
    READINESS_KEY,
    { fingerprint, checkedAt: clock.now(), ...readiness },
    { ttl: Math.ceil(READINESS_CACHE_MS / 1000) * 2 },
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
