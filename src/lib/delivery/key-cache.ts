import { KV_ROWS } from '../state/kv-rows';
import type { KeyValueStore } from '../runtime-ports';

// The external-key cache, beside the resolver that reads it (asset-resolver.ts): record key →
// Bynder asset id in external-key mode, read once and written at most once per batch, because a
// lookup costs rate-limit budget. Two parallel string lists, not a list of pairs: the SDK's stores
// hold lists of values, not of lists.

/** The row keeps the most recently used keys up to this many (a few tens of kB). */
export const MAX_CACHED_KEYS = 1_000;

export interface KeyCache {
  metaproperty: string;
  /** A Map, never an object keyed by record keys: keys such as "__proto__" stay plain data. Recency order. */
  ids: Map<string, string>;
  /** Whether this batch learned or forgot something, so the row needs writing. */
  changed: boolean;
}

export async function loadKeyCache(kvStore: KeyValueStore, metaproperty: string): Promise<KeyCache> {
  const row = await kvStore.get(KV_ROWS.externalKeys.key);
  const ids = new Map<string, string>();
  if (row.metaproperty === metaproperty && Array.isArray(row.keys) && Array.isArray(row.ids)) {
    const values = row.ids as unknown[];
    (row.keys as unknown[]).forEach((key, i) => {
      const id = values[i];
      if (typeof key === 'string' && typeof id === 'string') ids.set(key, id);
    });
  }
  return { metaproperty, ids, changed: false };
}

export async function saveKeyCache(kvStore: KeyValueStore, cache: KeyCache): Promise<void> {
  if (!cache.changed) return;
  const kept = [...cache.ids].slice(-MAX_CACHED_KEYS);
  const row = {
    metaproperty: cache.metaproperty,
    keys: kept.map(([key]) => key),
    ids: kept.map(([, id]) => id),
  };
  await kvStore.put(KV_ROWS.externalKeys.key, row, { ttl: KV_ROWS.externalKeys.ttlSeconds });
  cache.changed = false;
}
