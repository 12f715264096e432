import type { AppConfig } from '../config';
import { secretsOf } from '../secret-values';
import { KV_ROWS } from '../state/kv-rows';
import { notifyConnectionCheck } from '../notices/notices';
import type { Clock, KeyValueStore, Logger, Notifier } from '../runtime-ports';
import { checkConnection } from './connection-test';
import { contentHash } from '../state/content-hash';
import { describeRateLimitBlock, readRateLimitBlock } from '../pacing/rate-limit-block';

// Destination.ready(): are the settings complete and do the credentials work? OCP may ask often, so
// the answer is kept a minute (one kvStore row) and Bynder sees at most one check a minute. The row
// is tied to a fingerprint of portal and credentials, so saving new settings takes effect at once.
// During a stored rate-limit block nothing is sent at all (a request would restart Bynder's quiet
// period): the answer is "not ready until <end>", read from the block row, not cached.

const READINESS_KEY = KV_ROWS.readiness.key;
export const READINESS_CACHE_MS = 60_000;

export interface Readiness {
  ready: boolean;
  message: string;
}

export async function checkReadiness(
  config: AppConfig,
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger; notifier: Notifier },
): Promise<Readiness> {
  const { kvStore, clock } = deps;
  const fingerprint = fingerprintOf(config);
  const [row, block] = await Promise.all([kvStore.get(READINESS_KEY), readRateLimitBlock(kvStore, clock)]);
  if (block) return { ready: false, message: `${describeRateLimitBlock(block)}.` };
  if (
    row.fingerprint === fingerprint &&
    typeof row.checkedAt === 'number' &&
    clock.now() - row.checkedAt < READINESS_CACHE_MS &&
    typeof row.ready === 'boolean' &&
    typeof row.message === 'string'
  ) {
    return { ready: row.ready, message: row.message };
  }
  const check = await checkConnection(config, {
    ...deps,
    requestsPerSecond: config.requestsPerSecond,
    alreadyRead: { block },
  });
  const readiness = check.ok
    ? { ready: true, message: `Connected to ${config.portalUrl}` }
    : { ready: false, message: check.failure.message };
  // Refused credentials are announced in the Activity Log, and so is their working again.
  const said = check.ok
    ? { ok: true as const, portalUrl: config.portalUrl }
    : { ok: false as const, ...check.failure };
  await notifyConnectionCheck(said, { ...deps, secrets: secretsOf(config.credentials) });
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
