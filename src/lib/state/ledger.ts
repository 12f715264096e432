import { LEDGER_ROW } from './kv-rows';
import type { Clock, KeyValueStore } from '../runtime-ports';
import { contentHash } from './content-hash';
import { boundedCanonicalForm } from '../record-bounds';
import { updateSharedRow } from './shared-row';

// The applied ledger, one row per batch while OCP may deliver it again.
//
// A retry aid, never a cache of what Bynder holds: it lets OCP's retry of an attempt that left records
// pending skip what that attempt applied, and nothing else. So the row lives only while a retry may
// come: it is checkpointed while writes are accepted (checkpoint.ts), deleted once an attempt leaves
// nothing for OCP to retry (redeliveryAfter, src/lib/delivery-attempt.ts), and trusted for at most
// LEDGER_TRUST_MS after its first entry. Read on every attempt, the first included: attempts count
// from 1, but whether OCP's re-run of an invocation it cut counts as a new attempt is not published.
// A changed record has a different fingerprint, so it is never skipped wrongly.

/**
 * How long after its first entry a ledger is trusted. OCP publishes neither its retry count nor its
 * back-off; its retries of one batch come within minutes. Past this, an identical batch is taken for
 * a new delivery and sent whole: a longer window would risk skipping a record edited in Bynder since,
 * a shorter one only costs requests.
 */
export const LEDGER_TRUST_MS = 60 * 60_000;

export interface Ledger {
  /** The kvStore key for this sync and batch content. */
  key: string;
  /** Write fingerprints an earlier attempt applied. */
  applied: ReadonlySet<string>;
}

/**
 * The ledger key: the sync id and the batch's items, so only the same batch finds it again. Each
 * item is hashed in its bounded form, so a hostile item (nested thousands deep) cannot make the key
 * throw and fail the whole batch.
 */
export function ledgerKeyOf(syncId: string, items: readonly unknown[]): string {
  return LEDGER_ROW.keyPrefix + contentHash([syncId, ...items.map(boundedCanonicalForm)]);
}

/** The fingerprints of a row still trusted now; none for a missing, malformed or too old row. */
function trustedFingerprints(row: Record<string, unknown>, clock: Clock): string[] {
  const since = sinceOf(row);
  if (since === undefined || clock.now() - since > LEDGER_TRUST_MS) return [];
  return Array.isArray(row.applied) ? row.applied.filter((h): h is string => typeof h === 'string') : [];
}

/** When the row's first entry was written; rows written before `since` existed carry only `updatedAt`. */
function sinceOf(row: Record<string, unknown>): number | undefined {
  const since = typeof row.since === 'number' ? row.since : row.updatedAt;
  return typeof since === 'number' && Number.isFinite(since) ? since : undefined;
}

/** The ledger for this batch (empty when no earlier attempt left one that is still trusted). */
export async function readLedger(
  kvStore: KeyValueStore,
  batch: { items: readonly unknown[]; sync: { id: string } },
  clock: Clock,
): Promise<Ledger> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  return { key, applied: new Set(trustedFingerprints(await kvStore.get(key), clock)) };
}

/**
 * Adds what this attempt applied to the row: the fingerprints of its writes (writeFingerprint, the
 * plan's). Merged in one patch, so a concurrent writer's entries are kept; an untrusted row is
 * started afresh.
 */
export async function writeLedger(
  kvStore: KeyValueStore,
  ledger: Ledger,
  appliedNow: readonly string[],
  clock: Clock,
): Promise<void> {
  const adding = [...ledger.applied, ...appliedNow];
  // Merged into the stored row, not written over it: a concurrent attempt's fingerprints stay.
  await updateSharedRow(
    kvStore,
    ledger.key,
    (previous) => {
      const kept = trustedFingerprints(previous, clock);
      const now = clock.now();
      const since = kept.length > 0 ? (sinceOf(previous) ?? now) : now;
      return { applied: [...new Set([...kept, ...adding])], since, updatedAt: now };
    },
    { ttlSeconds: LEDGER_ROW.ttlSeconds, clock },
  );
}

/** Drops the row: the batch is done, so a later identical batch is a new delivery and sent whole. */
export async function deleteLedger(kvStore: KeyValueStore, ledger: Ledger): Promise<void> {
  await kvStore.delete(ledger.key);
}
