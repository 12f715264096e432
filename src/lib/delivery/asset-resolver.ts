import type { Media } from '../bynder/api-types';
import type { BynderApi } from '../bynder/bynder-api';
import type { FieldModel } from '../fields/field';
import type { KeyValueStore } from '../runtime-ports';

// Record key → Bynder asset id. With asset_id as the primary key this is the identity. In external-key
// mode a text metaproperty holds the key: each new key costs one `findMediaByProperty` lookup (through
// the request budget like every request), and answers are cached in one bounded kvStore row, read
// once and written at most once per batch, because the lookup costs rate-limit budget and Bynder's
// search index lags behind its asynchronous writes.

export const EXTERNAL_KEY_CACHE_KEY = 'delivery_external_keys';
/** The row keeps the most recently used keys up to this many (a few tens of kB). */
export const MAX_CACHED_KEYS = 1_000;
export const EXTERNAL_KEY_CACHE_TTL_SECONDS = 24 * 60 * 60;

export type Resolution =
  | { ok: true; id: string; fromCache: boolean }
  /** `missing`: no asset holds the key (a delete then has nothing to do); otherwise it is ambiguous. */
  | { ok: false; missing: boolean; reason: string };

export interface AssetResolver {
  resolve(key: string): Promise<Resolution>;
  /** Drops a cached answer that turned out stale (its asset is gone), so the next resolve looks again. */
  forget(key: string): void;
  /** Writes the cache row when this batch learned something (at most one kvStore write). */
  save(): Promise<void>;
}

export const assetIdResolver: AssetResolver = {
  resolve: (key) => Promise.resolve({ ok: true, id: key, fromCache: false }),
  forget: () => undefined,
  save: () => Promise.resolve(),
};

export async function loadExternalKeyResolver(deps: {
  api: BynderApi;
  kvStore: KeyValueStore;
  metaproperty: string;
}): Promise<AssetResolver> {
  const { api, kvStore, metaproperty } = deps;
  const row = await kvStore.get(EXTERNAL_KEY_CACHE_KEY);
  // A Map, never an object keyed by record keys: keys such as "__proto__" stay plain data.
  const cache = new Map<string, string>();
  // Two parallel string lists, not a list of pairs: the SDK's stores hold lists of values, not of lists.
  if (row.metaproperty === metaproperty && Array.isArray(row.keys) && Array.isArray(row.ids)) {
    const ids = row.ids as unknown[];
    (row.keys as unknown[]).forEach((key, i) => {
      const id = ids[i];
      if (typeof key === 'string' && typeof id === 'string') cache.set(key, id);
    });
  }
  let changed = false;

  return {
    async resolve(key) {
      const cached = cache.get(key);
      if (cached !== undefined) {
        cache.delete(key); // re-insert: Map order is recency order, the oldest are evicted first
        cache.set(key, cached);
        return { ok: true, id: cached, fromCache: true };
      }
      const matches = (await api.findMediaByProperty(metaproperty, key, 2)).filter((media) =>
        holdsExactly(media, metaproperty, key),
      );
      const [first] = matches;
      if (!first) {
        return {
          ok: false,
          missing: true,
          reason: `no asset has ${metaproperty} = ${JSON.stringify(key)}; this destination updates existing assets only`,
        };
      }
      if (matches.length > 1) {
        return {
          ok: false,
          missing: false,
          reason: `several assets have ${metaproperty} = ${JSON.stringify(key)}; make the value unique in Bynder`,
        };
      }
      cache.set(key, first.id);
      changed = true;
      return { ok: true, id: first.id, fromCache: false };
    },
    forget(key) {
      changed = cache.delete(key) || changed;
    },
    async save() {
      if (!changed) return;
      const kept = [...cache].slice(-MAX_CACHED_KEYS);
      const saved = { metaproperty, keys: kept.map(([key]) => key), ids: kept.map(([, id]) => id) };
      await kvStore.put(EXTERNAL_KEY_CACHE_KEY, saved, { ttl: EXTERNAL_KEY_CACHE_TTL_SECONDS });
      changed = false;
    },
  };
}

/** Bynder's text filter may match loosely; keep assets whose value is exactly the key when it shows one. */
function holdsExactly(media: Media, metaproperty: string, key: string): boolean {
  const value = media[`property_${metaproperty}`];
  if (value === undefined) return true;
  return Array.isArray(value) ? value.includes(key) : value === key;
}

/** The resolver for the configured primary key; the external-key cache row is read only when needed. */
export async function resolverFor(
  model: FieldModel,
  deps: { api: BynderApi; kvStore: KeyValueStore },
  hasWrites: boolean,
): Promise<AssetResolver> {
  const target = model.primary.target;
  if (target.kind !== 'metaproperty' || !hasWrites) return assetIdResolver;
  return loadExternalKeyResolver({ ...deps, metaproperty: target.name });
}
