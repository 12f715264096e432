import { z } from 'zod';

import { LEDGER_ROW } from './kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { contentHash } from './content-hash';
import { boundedCanonicalForm } from '../record-bounds';
import { readStateRow, rowKey, stateRow, updateStateRow, writtenOrThrow } from './state-row';

// The applied ledger, one row per batch while OCP may deliver it again.
//
// One row per batch holds its ledger and its lease (batch-lease.ts): taking the lease reads the
// ledger in the same compare-and-set, and the batch's end releases both with one write or delete.
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

/** The batch's row as stored: the ledger, and the lease (batch-lease.ts) while one is held. */
export interface BatchRowValue extends StoredRow {
  applied?: string[];
  /** When the ledger's first entry was written (ms); rows written before it existed carry only `updatedAt`. */
  since?: number;
  updatedAt?: number;
  /** The invocation delivering the batch, until `until` (ms). */
  holder?: string;
  until?: number;
}

const timestamp = z.number().finite();

export const BATCH_ROW = stateRow<BatchRowValue>(LEDGER_ROW, {
  schema: z.object({
    applied: z.array(z.string()).optional(),
    since: timestamp.optional(),
    updatedAt: timestamp.optional(),
    holder: z.string().optional(),
    until: timestamp.optional(),
  }),
  empty: () => ({}),
  usuallyMissing: true,
});

export interface Ledger {
  /** The kvStore key for this sync and batch content. */
  key: string;
  /** Write fingerprints an earlier attempt applied. */
  applied: ReadonlySet<string>;
  /** The lease this invocation holds on the batch (same row): released when the ledger is closed. */
  lease?: BatchLease;
}

/** A lease on a batch: its row and this invocation's id in it. */
export interface BatchLease {
  key: string;
  holder: string;
  /** Set once the batch's end released it (the row deleted, or the lease cleared in the last patch). */
  released?: boolean;
}

/**
 * The ledger key: the sync id and the batch's items, so only the same batch finds it again. Each
 * item is hashed in its bounded form, so a hostile item (nested thousands deep) cannot make the key
 * throw and fail the whole batch.
 */
export function ledgerKeyOf(syncId: string, items: readonly unknown[]): string {
  return rowKey(LEDGER_ROW, contentHash([syncId, ...items.map(boundedCanonicalForm)]));
}

/** The fingerprints of a row still trusted now; none for a missing, malformed or too old row. */
export function trustedFingerprints(row: BatchRowValue, clock: Clock): string[] {
  const since = row.since ?? row.updatedAt;
  if (since === undefined || clock.now() - since > LEDGER_TRUST_MS) return [];
  return row.applied ?? [];
}

/** The ledger for this batch (empty when no earlier attempt left one that is still trusted). */
export async function readLedger(
  kvStore: KeyValueStore,
  batch: { items: readonly unknown[]; sync: { id: string } },
  clock: Clock,
): Promise<Ledger> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  return { key, applied: new Set(trustedFingerprints(await readStateRow(kvStore, BATCH_ROW, key), clock)) };
}

/**
 * Adds what this attempt applied to the row: the fingerprints of its writes (writeFingerprint, the
 * plan's). Merged in one compare-and-set update, so a concurrent writer's entries are kept; an
 * untrusted row is started afresh. With `release`, the ledger's lease is cleared in the same write.
 */
export async function writeLedger(
  kvStore: KeyValueStore,
  ledger: Ledger,
  appliedNow: readonly string[],
  clock: Clock,
  release = false,
): Promise<void> {
  const adding = [...ledger.applied, ...appliedNow];
  const outcome = await updateStateRow(
    { kvStore, clock },
    BATCH_ROW,
    (previous) => {
      const kept = trustedFingerprints(previous, clock);
      const now = clock.now();
      const since = kept.length > 0 ? (previous.since ?? previous.updatedAt ?? now) : now;
      const lease = release ? withoutLease(previous, ledger.lease) : previous;
      return { ...lease, applied: [...new Set([...kept, ...adding])], since, updatedAt: now };
    },
    ledger.key,
  );
  writtenOrThrow(outcome, ledger.key);
  if (release && ledger.lease) ledger.lease.released = true;
}

/** The row without `lease` (when it still holds it). */
export function withoutLease(row: BatchRowValue, lease: BatchLease | undefined): BatchRowValue {
  if (!lease || row.holder !== lease.holder) return row;
  const { holder: _holder, until: _until, ...rest } = row;
  return rest;
}

/** Drops the row: the batch is done, so a later identical batch is a new delivery and sent whole. */
export async function deleteLedger(kvStore: KeyValueStore, ledger: Ledger): Promise<void> {
  await kvStore.delete(ledger.key);
  if (ledger.lease) ledger.lease.released = true;
}
