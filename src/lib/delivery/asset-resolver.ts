import type { BynderApi } from '../bynder/bynder-api';
import { DEFAULT_FIND_LIMIT } from '../bynder/constants';
import type { FieldModel } from '../fields/field';
import { holdsKey } from '../fields/key-text';
import type { KeyValueStore } from '../runtime-ports';

// Record key → Bynder asset id. With asset_id as the primary key this is the identity. In external-key
// mode a text metaproperty holds the key, and Bynder's `property_<name>=` filter finds the asset. How
// Bynder filters a text metaproperty is undocumented (it documents option filters only, and ignores
// unknown parameters), so nothing it answers is trusted: an asset matches only if its own value is
// the key under the rule of key-text.ts, and anything but exactly one match is a rejection.
//
// Answers are cached in one bounded kvStore row (read once, written at most once per batch), because
// a lookup costs rate-limit budget and Bynder's search index lags behind its asynchronous writes. A
// cached id is never trusted as is: before its first use in a batch, every cached id the batch needs
// is read back in one `GET /api/v4/media/?ids=` request per 100 ids, and an id whose asset is gone or
// no longer holds the key is dropped and the key looked up again (so a key that moved is followed).
//
// Requests per batch: ceil(cached keys used / 100) for the re-check, plus per new key one lookup when
// Bynder filters exactly, or at most 1 + MAX_LOOKUP_PAGES when its answer holds assets without the key.

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

/** A lookup whose filter answered non-matches pages on, this many assets a page... */
export const LOOKUP_PAGE_SIZE = 100;
/** ...for at most this many pages; past them the key is rejected as unconfirmed (never guessed). */
export const MAX_LOOKUP_PAGES = 10;

export async function loadExternalKeyResolver(deps: {
  api: BynderApi;
  kvStore: KeyValueStore;
  metaproperty: string;
  /** The keys this batch resolves: their cached ids are re-checked together, in one bulk read. */
  keys: readonly string[];
}): Promise<AssetResolver> {
  const { api, kvStore, metaproperty } = deps;
  const property = `property_${metaproperty}` as const;
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
  /** Cached keys whose asset was read back this batch and still holds the key. */
  const confirmed = new Set<string>();
  let rechecked: Promise<void> | undefined;

  const recheck = async (): Promise<void> => {
    const used = deps.keys.filter((key) => cache.has(key));
    const media = await api.listMediaByIds([...new Set(used.map((key) => cache.get(key)!))]);
    const byId = new Map(media.map((asset) => [asset.id, asset]));
    for (const key of used) {
      const asset = byId.get(cache.get(key)!);
      if (asset && holdsKey(asset[property], key)) confirmed.add(key);
      else changed = cache.delete(key) || changed; // gone, or the key moved: look it up afresh
    }
  };
  /** One re-check per batch, shared by the writes that wait for it; a failed one is tried again. */
  const recheckOnce = (): Promise<void> => {
    rechecked ??= recheck().catch((error: unknown) => {
      rechecked = undefined;
      throw error;
    });
    return rechecked;
  };

  const decide = (key: string, ids: readonly string[]): Resolution => {
    const [first] = ids;
    if (first === undefined) {
      return {
        ok: false,
        missing: true,
        reason: `no asset has ${metaproperty} = ${JSON.stringify(key)}; this destination updates existing assets only`,
      };
    }
    if (ids.length > 1) {
      return {
        ok: false,
        missing: false,
        reason: `several assets have ${metaproperty} = ${JSON.stringify(key)}; make the value unique in Bynder`,
      };
    }
    cache.set(key, first);
    changed = true;
    return { ok: true, id: first, fromCache: false };
  };

  const lookUp = async (key: string): Promise<Resolution> => {
    const answered = await api.findMediaByProperty(metaproperty, key, DEFAULT_FIND_LIMIT);
    const exact = answered.filter((asset) => holdsKey(asset[property], key));
    // A short answer is the filter's whole answer; a full one of matches is already ambiguous.
    if (answered.length < DEFAULT_FIND_LIMIT || exact.length === answered.length) {
      return decide(
        key,
        exact.map((asset) => asset.id),
      );
    }
    // The filter answered assets that do not hold the key: it is loose or ignored. Page through it.
    const seen = new Set<string>();
    const matches: string[] = [];
    let why = `the app read the first ${MAX_LOOKUP_PAGES * LOOKUP_PAGE_SIZE} assets it answers, most without that value, and stops there`;
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page += 1) {
      const media = await api.findMediaByProperty(metaproperty, key, LOOKUP_PAGE_SIZE, page);
      let fresh = 0;
      for (const asset of media) {
        if (seen.has(asset.id)) continue;
        seen.add(asset.id);
        fresh += 1;
        if (holdsKey(asset[property], key)) matches.push(asset.id);
      }
      if (matches.length > 1 || media.length < LOOKUP_PAGE_SIZE) return decide(key, matches);
      if (fresh === 0) {
        why = `it answers assets without that value and repeats page ${page - 1} as page ${page}`;
        break;
      }
    }
    return {
      ok: false,
      missing: false,
      reason: `could not confirm which asset has ${metaproperty} = ${JSON.stringify(key)}: Bynder's filter on ${metaproperty} does not narrow the search (${why}); nothing was written. Match by Bynder asset id instead`,
    };
  };

  return {
    async resolve(key) {
      if (cache.has(key)) {
        await recheckOnce();
        const cached = cache.get(key);
        if (cached !== undefined && confirmed.has(key)) {
          cache.delete(key); // re-insert: Map order is recency order, the oldest are evicted first
          cache.set(key, cached);
          return { ok: true, id: cached, fromCache: true };
        }
      }
      return lookUp(key);
    },
    forget(key) {
      confirmed.delete(key);
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

/** The resolver for the configured primary key; the external-key cache row is read only when needed. */
export async function resolverFor(
  model: FieldModel,
  deps: { api: BynderApi; kvStore: KeyValueStore },
  /** The keys of the batch's planned writes. */
  keys: readonly string[],
): Promise<AssetResolver> {
  const target = model.primary.target;
  if (target.kind !== 'metaproperty' || keys.length === 0) return assetIdResolver;
  return loadExternalKeyResolver({ ...deps, metaproperty: target.name, keys });
}
