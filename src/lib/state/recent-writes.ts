import { z } from 'zod';

import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { readStateRow, stateRow, storedBytes, updateStateRow, writtenOrThrow } from './state-row';

// The assets this install wrote within the safety window, so change detection never skips a write to
// one of them. Bynder answers a modify with 202 and applies it later
// (https://api.bynder.com/reference/post_api-v4-media-id; its own SDK samples wait "a few seconds"
// before reading back), so a read right after a write can show the value from before it. Were the
// app to trust that read, a later event restoring the old value would be dropped while the earlier
// write still lands: a lost write. So an asset written within the window is always written again,
// whatever the read says: a stale read can then only cause a redundant write.
//
// Order matters across invocations: a batch notes its writes here before sending any, and change
// detection reads this row after its bulk read of Bynder. Both happen in one compare-and-set update
// (decideRecentWrites): its read of the row comes after Bynder's answer, it decides which writes go
// from what it read, and it notes those before any is sent. So when another invocation's write was
// accepted before the bulk read (the only case where the read can be stale because of it), it was
// noted before the read too, and is seen here.
//
// One shared row, `{ ids, until, overflowUntil }` (parallel lists), bounded: past
// MAX_RECENT_WRITES entries (or the row's byte budget) the earliest-ending entries are dropped, and
// `overflowUntil` keeps the latest end among them: until then every asset counts as recently written
// (change detection writes everything), so the bound never makes the app forget a write.

/**
 * How long after a write its asset is always written again. Bynder applies a modify within seconds
 * (its samples wait a few); five minutes is many times that, leaves a minute for workers' clocks to
 * disagree, and is short enough that a re-sync an hour later reads and skips as it should.
 */
export const RECENT_WRITE_WINDOW_MS = 5 * 60_000;

/** Entries the row keeps (36-character ids: about 150 kB). At 10 requests/s a window holds 3,000 writes. */
export const MAX_RECENT_WRITES = 3_000;

export interface RecentWrites {
  /** Whether `id` was written (or about to be) within the window, as the row said when read. */
  isRecent(id: string): boolean;
}

interface RecentRowValue extends StoredRow {
  ids: string[];
  until: number[];
  overflowUntil?: number;
}

/** Parallel lists, read in pairs: a pair that is not an id and an end is skipped (the row's TTL ends it). */
export const RECENT_WRITES_ROW = stateRow<RecentRowValue>(KV_ROWS.recentWrites, {
  schema: z
    .object({
      ids: z.array(z.unknown()).catch([]),
      until: z.array(z.unknown()).catch([]),
      overflowUntil: z.number().optional().catch(undefined),
    })
    .transform(({ ids, until, overflowUntil }) => {
      const pairs = ids.flatMap((id, i) => {
        const pair = z.tuple([z.string(), z.number()]).safeParse([id, until[i]]);
        return pair.success ? [pair.data] : [];
      });
      return {
        ids: pairs.map(([id]) => id),
        until: pairs.map(([, end]) => end),
        ...(overflowUntil === undefined ? {} : { overflowUntil }),
      };
    }),
  empty: () => ({ ids: [], until: [] }),
});

interface RecentEntries {
  entries: Map<string, number>;
  overflowUntil: number;
}

/** The entries still in the window. */
function entriesOf(row: RecentRowValue, now: number): RecentEntries {
  const entries = new Map<string, number>();
  row.ids.forEach((id, i) => {
    const end = row.until[i] ?? 0;
    if (end > now) entries.set(id, Math.max(end, entries.get(id) ?? 0));
  });
  const overflow = row.overflowUntil ?? 0;
  return { entries, overflowUntil: overflow > now ? overflow : 0 };
}

function recentOf(row: RecentEntries, now: number): RecentWrites {
  return { isRecent: (id) => row.overflowUntil > now || (row.entries.get(id) ?? 0) > now };
}

/**
 * One compare-and-set update of the row: `decide` gets the row as it is now and answers its result
 * and the asset ids about to be written; those count as recent until the window has passed after the
 * last moment a write of this batch may still start (`sendingForMs`, the time budget). `decide` may
 * run several times (the last run is the one the store kept) and must be pure. One patch; nothing
 * written when no id is to be noted (an increment more the first time the row is written).
 */
export async function decideRecentWrites<R>(
  kvStore: KeyValueStore,
  decide: (recent: RecentWrites) => { result: R; ids: readonly string[] },
  deps: { clock: Clock; sendingForMs: number },
): Promise<R> {
  const { clock } = deps;
  let result: R | undefined;
  let decided = false;
  const outcome = await updateStateRow({ kvStore, clock }, RECENT_WRITES_ROW, (previous) => {
    const now = clock.now();
    const row = entriesOf(previous, now);
    const decision = decide(recentOf(row, now));
    result = decision.result;
    decided = true;
    if (decision.ids.length === 0) return previous;
    const end = now + deps.sendingForMs + RECENT_WRITE_WINDOW_MS;
    for (const id of decision.ids) row.entries.set(id, end);
    return bounded(
      [...row.entries].sort((a, b) => a[1] - b[1]),
      row.overflowUntil,
    );
  });
  writtenOrThrow(outcome, KV_ROWS.recentWrites.key);
  if (!decided) throw new Error(`The kvStore did not run the update of row ${KV_ROWS.recentWrites.key}`);
  return result as R;
}

/** The row as it is now (one read), for tests and support. */
export async function readRecentWrites(kvStore: KeyValueStore, clock: Clock): Promise<RecentWrites> {
  const now = clock.now();
  return recentOf(entriesOf(await readStateRow(kvStore, RECENT_WRITES_ROW), now), now);
}

/** Notes that `ids` are about to be written (decideRecentWrites with nothing to decide). */
export async function noteRecentWrites(
  kvStore: KeyValueStore,
  ids: readonly string[],
  deps: { clock: Clock; sendingForMs: number },
): Promise<void> {
  if (ids.length === 0) return;
  await decideRecentWrites(kvStore, () => ({ result: undefined, ids }), deps);
}

/** The row holding the latest-ending entries within the count and byte bounds; the rest overflow. */
function bounded(sorted: Array<[string, number]>, overflowUntil: number): RecentRowValue {
  let start = Math.max(0, sorted.length - MAX_RECENT_WRITES);
  const bytesOf = (from: number) =>
    storedBytes({
      ids: sorted.slice(from).map(([id]) => id),
      until: sorted.slice(from).map(([, until]) => until),
      overflowUntil: Number.MAX_SAFE_INTEGER,
    });
  while (start < sorted.length && bytesOf(start) > RECENT_WRITES_ROW.byteBudget) {
    start += Math.max(1, Math.ceil((sorted.length - start) / 20));
  }
  const dropped = sorted.slice(0, start);
  const kept = sorted.slice(start);
  const overflow = Math.max(overflowUntil, ...dropped.map(([, until]) => until));
  return {
    ids: kept.map(([id]) => id),
    until: kept.map(([, until]) => until),
    ...(overflow > 0 ? { overflowUntil: overflow } : {}),
  };
}
