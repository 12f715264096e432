import type { Clock, KeyValueStore } from '../runtime-ports';
import { contentHash } from './content-hash';

// The applied ledger: when a batch ends with something pending, OCP delivers the whole batch again.
// So after such an attempt we store the fingerprints (key + operation + content) of every write that
// was applied, under a key derived from the sync and the batch's content; a later attempt reads it and
// sends only the rest. One read (only when attempt > 1) and one write (only when something is left
// pending) per batch. A changed record has a different fingerprint, so it is never skipped wrongly.

/** OCP's first attempt number. The SDK does not document the base; 1 matches what it sends locally. */
export const FIRST_ATTEMPT = 1;
/** OCP retries a batch within hours; a day keeps the ledger through them, then it expires. */
export const LEDGER_TTL_SECONDS = 24 * 60 * 60;
const LEDGER_KEY_PREFIX = 'delivery_ledger_';

export interface LedgerEntry {
  /** The kvStore key for this sync and batch content. */
  key: string;
  /** Write fingerprints an earlier attempt applied. */
  applied: ReadonlySet<string>;
}

/** The ledger key: the sync id and the batch's items, so only the same batch finds it again. */
export function ledgerKeyOf(syncId: string, items: readonly unknown[]): string {
  return LEDGER_KEY_PREFIX + contentHash([syncId, JSON.stringify(items)]);
}

/** The ledger for this batch: read from the kvStore on a retry, empty (no read) on the first attempt. */
export async function readLedger(
  kvStore: KeyValueStore,
  batch: { items: readonly unknown[]; attempt: number; sync: { id: string } },
): Promise<LedgerEntry> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  if (!(batch.attempt > FIRST_ATTEMPT)) return { key, applied: new Set() };
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
