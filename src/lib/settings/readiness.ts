import { z } from 'zod';

import type { AppConfig } from '../config';
import { secretsOf } from '../secret-values';
import { KV_ROWS } from '../state/kv-rows';
import { notifyConnectionCheck } from '../notices/notices';
import type { Clock, KeyValueStore, Logger, Notifier, StoredRow } from '../runtime-ports';
import { readStateRow, replaceStateRow, stateRow } from '../state/state-row';
import { checkConnection } from './connection-test';
import { contentHash } from '../state/content-hash';
import { describeRateLimitBlock, readRateLimitBlock } from '../pacing/rate-limit-block';

// Destination.ready(): are the settings complete and do the credentials work? OCP may ask often, so
// the answer is kept a minute (one kvStore row) and Bynder sees at most one check a minute. The row
// is tied to a fingerprint of portal and credentials, so saving new settings takes effect at once.
// During a stored rate-limit block nothing is sent at all (a request would restart Bynder's quiet
// period): the answer is "not ready until <end>", read from the block row, not cached.

interface ReadinessRowValue extends StoredRow {
  fingerprint: string;
  checkedAt: number;
  ready: boolean;
  message: string;
}

export const READINESS_ROW = stateRow<ReadinessRowValue>(KV_ROWS.readiness, {
  schema: z.object({
    fingerprint: z.string(),
    checkedAt: z.number(),
    ready: z.boolean(),
    message: z.string(),
  }),
  empty: () => ({ fingerprint: '', checkedAt: 0, ready: false, message: '' }),
});
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
  const [row, block] = await Promise.all([
    readStateRow(kvStore, READINESS_ROW),
    readRateLimitBlock(kvStore, clock),
  ]);
  if (block) return { ready: false, message: `${describeRateLimitBlock(block)}.` };
  if (row.fingerprint === fingerprint && clock.now() - row.checkedAt < READINESS_CACHE_MS) {
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
  // A message too long for the row is not cached: the next call checks again.
  await replaceStateRow(kvStore, READINESS_ROW, { fingerprint, checkedAt: clock.now(), ...readiness });
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
