import { z } from 'zod';

import { KV_ROWS } from '../state/kv-rows';
import type { KeyValueStore, StoredRow } from '../runtime-ports';
import { readStateRow, replaceStateRow, stateRow, storedBytes } from '../state/state-row';

// The external-key cache, beside the resolver that reads it (asset-resolver.ts): record key →
// Bynder asset id in external-key mode, read once and written at most once per batch, because a
// lookup costs rate-limit budget. Two parallel string lists, not a list of pairs: the SDK's stores
// hold lists of values, not of lists.

/** The row keeps the most recently used keys up to this many (a few tens of kB). */
export const MAX_CACHED_KEYS = 1_000;

interface KeyCacheRowValue extends StoredRow {
  metaproperty: string;
  keys: string[];
  ids: string[];
}

/** Parallel lists, read in pairs: a pair that is not two strings is skipped. */
export const KEY_CACHE_ROW = stateRow<KeyCacheRowValue>(KV_ROWS.externalKeys, {
  schema: z
    .object({ metaproperty: z.string(), keys: z.array(z.unknown()), ids: z.array(z.unknown()) })
    .transform(({ metaproperty, keys, ids }) => {
      const pairs = keys.flatMap((key, i) => {
        const pair = z.tuple([z.string(), z.string()]).safeParse([key, ids[i]]);
        return pair.success ? [pair.data] : [];
      });
      return { metaproperty, keys: pairs.map(([key]) => key), ids: pairs.map(([, id]) => id) };
    }),
  empty: () => ({ metaproperty: '', keys: [], ids: [] }),
});

export interface KeyCache {
  metaproperty: string;
  /** A Map, never an object keyed by record keys: keys such as "__proto__" stay plain data. Recency order. */
  ids: Map<string, string>;
  /** Whether this batch learned or forgot something, so the row needs writing. */
  changed: boolean;
}

export async function loadKeyCache(kvStore: KeyValueStore, metaproperty: string): Promise<KeyCache> {
  const row = await readStateRow(kvStore, KEY_CACHE_ROW);
  const ids = new Map<string, string>();
  if (row.metaproperty === metaproperty) {
    row.keys.forEach((key, i) => ids.set(key, row.ids[i] ?? ''));
  }
  return { metaproperty, ids, changed: false };
}

/** Writes the most recently used answers that fit the row's count and byte bounds (one put). */
export async function saveKeyCache(kvStore: KeyValueStore, cache: KeyCache): Promise<void> {
  if (!cache.changed) return;
  let kept = [...cache.ids].slice(-MAX_CACHED_KEYS);
  const rowOf = (entries: Array<[string, string]>): KeyCacheRowValue => ({
    metaproperty: cache.metaproperty,
    keys: entries.map(([key]) => key),
    ids: entries.map(([, id]) => id),
  });
  // Record keys may be long: the oldest answers go until the row fits (a cache: they cost a lookup).
  while (kept.length > 0 && storedBytes(rowOf(kept)) > KEY_CACHE_ROW.byteBudget) {
    kept = kept.slice(Math.max(1, Math.floor(kept.length / 10)));
  }
  await replaceStateRow(kvStore, KEY_CACHE_ROW, rowOf(kept));
  cache.changed = false;
}
