import type { Clock, KeyValueStore } from '../runtime-ports';
import type { RejectedSettlement } from './settlement';
import { shorten } from './shorten';

// Rejected records, kept for the CLI and support: key, field and reason only (reasons never carry
// secrets; values in them are cut short). One kvStore row holds the most recent entries, appended
// with one patch per batch that rejected something.

export const REJECTION_LOG_KEY = 'delivery_rejections';
export const MAX_REJECTION_LOG_ENTRIES = 500;
const MAX_STORED_TEXT = 300;

export interface RejectionLogEntry {
  /** When the batch ran (ms since epoch). */
  at: number;
  sync: string;
  key: string | undefined;
  /** How messages named the record, e.g. `asset_id "7C1D…"` or `record #4`. */
  subject: string;
  field: string | undefined;
  reason: string;
  /** How many events of the batch this covers (superseded events share their winner's reason). */
  records: number;
}

export async function appendRejections(
  kvStore: KeyValueStore,
  rejections: readonly RejectedSettlement[],
  context: { syncName: string; clock: Clock },
): Promise<void> {
  if (rejections.length === 0) return;
  const at = context.clock.now();
  const added: RejectionLogEntry[] = rejections.slice(-MAX_REJECTION_LOG_ENTRIES).map((r) => ({
    at,
    sync: cut(context.syncName),
    key: r.key === undefined ? undefined : cut(r.key),
    subject: r.subject,
    field: r.field,
    reason: cut(r.reason),
    records: r.records.length,
  }));
  await kvStore.patch(REJECTION_LOG_KEY, (previous) => ({
    entries: [...entriesOf(previous), ...added].slice(-MAX_REJECTION_LOG_ENTRIES),
  }));
}

/** The kept rejections, oldest first. For the CLI and support tooling. */
export async function readRejectionLog(kvStore: KeyValueStore): Promise<RejectionLogEntry[]> {
  return entriesOf(await kvStore.get(REJECTION_LOG_KEY));
}

/** Empties the log, so what is read next belongs to the deliveries that follow. For the CLI. */
export async function clearRejectionLog(kvStore: KeyValueStore): Promise<void> {
  await kvStore.delete(REJECTION_LOG_KEY);
}

function entriesOf(row: Record<string, unknown>): RejectionLogEntry[] {
  const entries = row.entries;
  if (!Array.isArray(entries)) return [];
  return entries.filter(
    (e): e is RejectionLogEntry =>
      typeof e === 'object' && e !== null && typeof (e as RejectionLogEntry).reason === 'string',
  );
}

function cut(text: string): string {
  return shorten(text, MAX_STORED_TEXT);
}
