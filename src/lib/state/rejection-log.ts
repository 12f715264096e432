import { z } from 'zod';

import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, Logger, StoredRow } from '../runtime-ports';
import { shorten } from '../shorten';
import { readStateRow, stateRow, storedBytes, updateStateRow, writtenOrThrow } from './state-row';

// The rejection log: the latest rejected records, for the CLI and support, in one kvStore row.
// Key, field and reason only (reasons never carry secrets; values in them are cut short). One row
// holds the most recent entries, appended with one patch per batch that rejected something; past its
// byte budget the oldest entries go first (it is a log of the latest).

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

// Lenient as the log's first reader was: an entry needs its reason; what else an older version left
// out reads as a neutral value.
const entrySchema = z.object({
  at: z.number().catch(0),
  sync: z.string().catch(''),
  key: z.string().optional().catch(undefined),
  subject: z.string().catch(''),
  field: z.string().optional().catch(undefined),
  reason: z.string(),
  records: z.number().catch(1),
});

interface RejectionRowValue extends StoredRow {
  entries: RejectionLogEntry[];
}

/** Entries an older version wrote with a missing or odd field are skipped, the others kept. */
export const REJECTION_LOG_ROW = stateRow<RejectionRowValue>(KV_ROWS.rejections, {
  schema: z.object({
    entries: z
      .array(z.unknown())
      .catch([])
      .transform((entries) =>
        entries.flatMap((e) => {
          const parsed = entrySchema.safeParse(e);
          return parsed.success ? [{ ...parsed.data, key: parsed.data.key, field: parsed.data.field }] : [];
        }),
      ),
  }),
  empty: () => ({ entries: [] }),
});

/** A rejected record as the batch's outcome gives it (toLoggedRejection); the log adds when and the sync. */
export type LoggedRejection = Omit<RejectionLogEntry, 'at' | 'sync'>;

export async function appendRejections(
  kvStore: KeyValueStore,
  rejections: readonly LoggedRejection[],
  context: { syncName: string; clock: Clock },
): Promise<void> {
  const added = rejectionEntries(rejections, context);
  if (added.length === 0) return;
  const outcome = await updateStateRow({ kvStore, clock: context.clock }, REJECTION_LOG_ROW, (previous) => ({
    entries: withinBudget([...previous.entries, ...added].slice(-MAX_REJECTION_LOG_ENTRIES)),
  }));
  writtenOrThrow(outcome, KV_ROWS.rejections.key);
}

/** The latest entries that fit the row's byte budget (an entry is at most about 1 kB). */
function withinBudget(entries: RejectionLogEntry[]): RejectionLogEntry[] {
  let bytes = storedBytes({ entries });
  let start = 0;
  while (bytes > REJECTION_LOG_ROW.byteBudget && start < entries.length) {
    bytes -= storedBytes(entries[start]) + 1;
    start += 1;
  }
  return entries.slice(start);
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
  return (await readStateRow(kvStore, REJECTION_LOG_ROW)).entries;
}
