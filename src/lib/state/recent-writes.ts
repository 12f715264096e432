import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { updateSharedRow } from './shared-row';

// The assets this install wrote within the safety window, so change detection never skips a write to
// one of them. Bynder answers a modify with 202 and applies it later
// (https://api.bynder.com/reference/post_api-v4-media-id; its own SDK samples wait "a few seconds"
// before reading back), so a read right after a write can show the value from before it. Were the
// app to trust that read, a later event restoring the old value would be dropped while the earlier
// write still lands: a lost write. So an asset written within the window is always written again,
// whatever the read says: a stale read can then only cause a redundant write.
//
// Order matters across invocations: a batch notes its writes here before sending any, and change
// detection reads this row after its bulk read of Bynder. So when another invocation's write was
// accepted before that read (the only case where the read can be stale because of it), it was noted
// before the read too, and is seen here.
//
// One shared row, `{ ids, until, overflowUntil }` (parallel lists), bounded: past
// MAX_RECENT_WRITES the earliest-ending entries are dropped, and `overflowUntil` keeps the latest end
// among them: until then every asset counts as recently written (change detection writes everything),
// so the bound never makes the app forget a write.

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

interface RecentRow {
  entries: Map<string, number>;
  overflowUntil: number;
}

function readRow(row: StoredRow, now: number): RecentRow {
  const ids = Array.isArray(row.ids) ? (row.ids as unknown[]) : [];
  const until = Array.isArray(row.until) ? (row.until as unknown[]) : [];
  const entries = new Map<string, number>();
  ids.forEach((id, i) => {
    const end = until[i];
    if (typeof id === 'string' && typeof end === 'number' && end > now) {
      entries.set(id, Math.max(end, entries.get(id) ?? 0));
    }
  });
  const overflow = typeof row.overflowUntil === 'number' ? row.overflowUntil : 0;
  return { entries, overflowUntil: overflow > now ? overflow : 0 };
}

/** The row as it is now; a malformed row reads as empty entries (its writers' TTL ends it). */
export async function readRecentWrites(kvStore: KeyValueStore, clock: Clock): Promise<RecentWrites> {
  const now = clock.now();
  const row = readRow(await kvStore.get(KV_ROWS.recentWrites.key), now);
  return {
    isRecent: (id) => row.overflowUntil > now || (row.entries.get(id) ?? 0) > now,
  };
}

/**
 * Notes that `ids` are about to be written: each counts as recent until the window has passed after
 * the last moment a write of this batch may still start (`sendingForMs`, the time budget). One
 * shared-row update (an increment and a patch), none when `ids` is empty.
 */
export async function noteRecentWrites(
  kvStore: KeyValueStore,
  ids: readonly string[],
  deps: { clock: Clock; sendingForMs: number },
): Promise<void> {
  if (ids.length === 0) return;
  const { clock } = deps;
  const { key, ttlSeconds } = KV_ROWS.recentWrites;
  await updateSharedRow(
    kvStore,
    key,
    (previous) => {
      const now = clock.now();
      const row = readRow(previous, now);
      const end = now + deps.sendingForMs + RECENT_WRITE_WINDOW_MS;
      for (const id of ids) row.entries.set(id, end);
      let kept = [...row.entries].sort((a, b) => a[1] - b[1]);
      const dropped = kept.slice(0, Math.max(0, kept.length - MAX_RECENT_WRITES));
      kept = kept.slice(dropped.length);
      const overflowUntil = Math.max(row.overflowUntil, ...dropped.map(([, until]) => until));
      return {
        ids: kept.map(([id]) => id),
        until: kept.map(([, until]) => until),
        ...(overflowUntil > 0 ? { overflowUntil } : {}),
      };
    },
    { ttlSeconds, clock },
  );
}
