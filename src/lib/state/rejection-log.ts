import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { shorten } from '../shorten';
import { updateSharedRow } from './shared-row';

// The rejection log: the latest rejected records, for the CLI and support, in one kvStore row.
// Key, field and reason only (reasons never carry secrets; values in them are cut short). One row
// holds the most recent entries, appended with one patch per batch that rejected something.

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

/** A rejected record as the batch's outcome gives it (toLoggedRejection); the log adds when and the sync. */
export type LoggedRejection = Omit<RejectionLogEntry, 'at' | 'sync'>;

export async function appendRejections(
  kvStore: KeyValueStore,
  rejections: readonly LoggedRejection[],
  context: { syncName: string; clock: Clock },
): Promise<void> {
  const added = rejectionEntries(rejections, context);
  if (added.length === 0) return;
  await updateSharedRow(
    kvStore,
    KV_ROWS.rejections.key,
    (previous) => ({
      entries: [...rejectionEntriesOf(previous), ...added].slice(-MAX_REJECTION_LOG_ENTRIES),
    }),
    { ttlSeconds: KV_ROWS.rejections.ttlSeconds, clock: context.clock },
  );
}

function rejectionEntries(
  rejections: readonly LoggedRejection[],
  context: { syncName: string; clock: Clock },
): RejectionLogEntry[] {
  const at = context.clock.now();
  const cut = (text: string) => shorten(text, MAX_STORED_TEXT);
  const added: RejectionLogEntry[] = rejections.slice(-MAX_REJECTION_LOG_ENTRIES).map((r) => ({
    at,
    sync: cut(context.syncName),
    key: r.key === undefined ? undefined : cut(r.key),
    subject: r.subject,
    field: r.field,
    reason: cut(r.reason),
    records: r.records,
  }));
  return added;
}

/** Lines of at most this many characters, under OCP's 4,096-character log lines. */
const MAX_LOG_LINE = 3_500;

/**
 * When the rejection log cannot be written, every rejection goes to the error log instead, in as
 * many lines as it takes: failureReason names only the first few ("and 4 more"), and the rest must
 * be recorded somewhere.
 */
export function logUnstoredRejections(
  logger: Logger,
  rejections: readonly LoggedRejection[],
  context: { syncName: string; clock: Clock },
): void {
  const entries = rejectionEntries(rejections, context).map(
    // The reason names the field already, as failureReason does.
    (e) => `${e.subject}${e.field === undefined ? ': ' : ' '}${e.reason}`,
  );
  const lines: string[] = [];
  for (const entry of entries) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last]?.length ?? 0) + entry.length + 3 <= MAX_LOG_LINE) {
      lines[last] += ` | ${entry}`;
    } else {
      lines.push(entry.slice(0, MAX_LOG_LINE));
    }
  }
  lines.forEach((line, i) =>
    logger.error(
      `Rejected records of sync ${JSON.stringify(context.syncName.slice(0, 100))} not kept in the rejection log (${i + 1}/${lines.length}): ${line}`,
    ),
  );
}

/** Empties the log, e.g. before a local run's attempt, so what it reads after is that attempt's. */
export async function clearRejectionLog(kvStore: KeyValueStore): Promise<void> {
  await kvStore.delete(KV_ROWS.rejections.key);
}

/** The kept rejections, oldest first. For the CLI and support tooling. */
export async function readRejectionLog(kvStore: KeyValueStore): Promise<RejectionLogEntry[]> {
  return rejectionEntriesOf(await kvStore.get(KV_ROWS.rejections.key));
}

function rejectionEntriesOf(row: Record<string, unknown>): RejectionLogEntry[] {
  const entries = row.entries;
  if (!Array.isArray(entries)) return [];
  return entries.filter(
    (e): e is RejectionLogEntry =>
      typeof e === 'object' && e !== null && typeof (e as RejectionLogEntry).reason === 'string',
  );
}
