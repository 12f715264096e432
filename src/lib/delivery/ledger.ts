import type { Clock, KeyValueStore } from '../runtime-ports';
import { contentHash } from './content-hash';
import { boundedCanonicalForm } from './record-bounds';

// The applied ledger: when a batch ends with something pending, OCP delivers the whole batch again.
// So after such an attempt we store the fingerprints (key + operation + content) of every write that
// was applied, under a key derived from the sync and the batch's content; a later attempt reads it and
// sends only the rest. One read and one write (only when something is left pending) per batch. The
// read happens on every attempt, not only when attempt > 1: the SDK does not document whether attempts
// count from 0 or 1, and a batch OCP delivers twice as a first attempt must not be sent twice either.
// A changed record has a different fingerprint, so it is never skipped wrongly.
/** OCP retries a batch within hours; a day keeps the ledger through them, then it expires. */
export const LEDGER_TTL_SECONDS = 24 * 60 * 60;
const LEDGER_KEY_PREFIX = 'delivery_ledger_';

export interface LedgerEntry {
  /** The kvStore key for this sync and batch content. */
  key: string;
  /** Write fingerprints an earlier attempt applied. */
  applied: ReadonlySet<string>;
}

/**
 * The ledger key: the sync id and the batch's items, so only the same batch finds it again. Each item
 * in its bounded form: an item nested too deep for JSON.stringify must not fail the whole batch.
 */
export function ledgerKeyOf(syncId: string, items: readonly unknown[]): string {
  return LEDGER_KEY_PREFIX + contentHash([syncId, ...items.map(boundedCanonicalForm)]);
}

/** The ledger for this batch (empty when no earlier attempt left one). */
export async function readLedger(
  kvStore: KeyValueStore,
  batch: { items: readonly unknown[]; sync: { id: string } },
): Promise<LedgerEntry> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  const row = await kvStore.get(key);
  const applied = Array.isArray(row.applied)
    ? row.applied.filter((h): h is string => typeof h === 'string')
    : [];
  return { key, applied: new Set(applied) };
}

/** Stores what this and earlier attempts applied, for the next attempt. */
export async function writeLedger(
  kvStore: KeyValueStore,
  ledger: LedgerEntry,
  appliedNow: readonly string[],
  clock: Clock,
): Promise<void> {
  const applied = [...new Set([...ledger.applied, ...appliedNow])];
  await kvStore.put(ledger.key, { applied, updatedAt: clock.now() }, { ttl: LEDGER_TTL_SECONDS });
}
