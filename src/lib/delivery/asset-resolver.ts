import type { Media } from '../bynder/api-types';
import type { BynderApi } from '../bynder/bynder-api';
import { DEFAULT_FIND_LIMIT } from '../bynder/constants';
import type { FieldModel } from '../fields/field';
import { holdsKey } from '../fields/key-text';
import type { KeyValueStore } from '../runtime-ports';
import { type KeyCache, loadKeyCache } from './key-cache';

// Record key → Bynder asset id. With asset_id as the primary key this is the identity. In external-key
// mode a text metaproperty holds the key, and Bynder's `property_<name>=` filter finds the asset. How
// Bynder filters a text metaproperty is undocumented (it documents option filters only, and ignores
// unknown parameters: https://api.bynder.com/reference/get_api-v4-media), so nothing it answers is
// trusted: an asset matches only if its own value is the key under the rule of key-text.ts, and
// anything but exactly one match is a rejection.
//
// Answers are kept in the external-key cache (key-cache.ts), because a lookup costs rate-limit
// budget and Bynder's search index lags behind its asynchronous writes. A cached id is never trusted
// as is: before its first use in a batch, every cached id the batch needs is read back in one
// `GET /api/v4/media/?ids=` request per 100 ids, and an id whose asset is gone or no longer holds the
// key is dropped and the key looked up again (so a key that moved is followed).
//
// Requests per batch: ceil(cached keys used / 100) for the re-check, plus per new key one lookup when
// Bynder filters exactly, or at most 1 + MAX_LOOKUP_PAGES when its answer holds assets without the key.
// A key is resolved once per batch (change detection and the write share the answer), and the assets
// those reads answered are kept for the batch, so change detection need not read them again.

export type Resolution =
  | { kind: 'found'; id: string; fromCache: boolean }
  /** No asset holds the key: an upsert is rejected, a delete has nothing left to do. */
  | { kind: 'missing'; reason: string }
  /** Several assets hold the key, or which one does cannot be confirmed: rejected, nothing written. */
  | { kind: 'ambiguous'; reason: string };

export interface AssetResolver {
  resolve(key: string): Promise<Resolution>;
  /** Drops a cached answer that turned out stale (its asset is gone), so the next resolve looks again. */
  forget(key: string): void;
  /** Keeps `id` as the asset of `key` (an asset this batch created), for this batch and the key cache. */
  remember(key: string, id: string): void;
  /** The asset `id` as a read of this batch answered it (the re-check or a lookup), if one did. */
  assetRead(id: string): Media | undefined;
  /** What must be saved after the batch (external-key mode only). */
  readonly keyCache: KeyCache | undefined;
}

export const assetIdResolver: AssetResolver = {
  resolve: (key) => Promise.resolve({ kind: 'found', id: key, fromCache: false }),
  forget: () => undefined,
  remember: () => undefined,
  assetRead: () => undefined,
  keyCache: undefined,
};

/** A lookup whose filter answered non-matches pages on, this many assets a page... */
export const LOOKUP_PAGE_SIZE = 100;
/** ...for at most this many pages; past them the key is rejected as unconfirmed (never guessed). */
export const MAX_LOOKUP_PAGES = 10;

/**
 * The external-key resolver over a loaded cache. `keys`: the keys this batch resolves, whose cached
 * ids are re-checked together, in one bulk read.
 */
export function externalKeyResolver(api: BynderApi, cache: KeyCache, keys: readonly string[]): AssetResolver {
  const { metaproperty, ids } = cache;
  const property = `property_${metaproperty}` as const;
  /** Cached keys whose asset was read back this batch and still holds the key. */
  const confirmed = new Set<string>();
  let rechecked: Promise<void> | undefined;
  /** This batch's answer per key, shared by every caller; a failed resolve is not kept. */
  const resolutions = new Map<string, Promise<Resolution>>();
  /** The assets this batch's reads answered, by id: what Bynder held when read. */
  const read = new Map<string, Media>();
  const keep = (assets: readonly Media[]) => {
    for (const asset of assets) read.set(asset.id, asset);
  };

  const drop = (key: string) => {
    cache.changed = ids.delete(key) || cache.changed;
  };

  const recheck = async (): Promise<void> => {
    const used = keys.filter((key) => ids.has(key));
    const wanted = [...new Set(used.flatMap((key) => ids.get(key) ?? []))];
    const byId = new Map((await api.listMediaByIds(wanted)).map((asset) => [asset.id, asset]));
    for (const key of used) {
      const asset = byId.get(ids.get(key) ?? '');
      if (asset && holdsKey(asset[property], key)) {
        confirmed.add(key);
        keep([asset]);
      } else drop(key); // gone, or the key moved: look it up afresh
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

  const decide = (key: string, matches: readonly string[]): Resolution => {
    const [first] = matches;
    if (first === undefined) {
      return {
        kind: 'missing',
        reason: `no asset has ${metaproperty} = ${JSON.stringify(key)}; this destination updates existing assets only`,
      };
    }
    if (matches.length > 1) {
      return {
        kind: 'ambiguous',
        reason: `several assets have ${metaproperty} = ${JSON.stringify(key)}; make the value unique in Bynder`,
      };
    }
    ids.set(key, first);
    cache.changed = true;
    return { kind: 'found', id: first, fromCache: false };
  };

  const lookUp = async (key: string): Promise<Resolution> => {
    const answered = await api.findMediaByProperty(metaproperty, key, DEFAULT_FIND_LIMIT);
    const exact = answered.filter((asset) => holdsKey(asset[property], key));
    keep(exact);
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
        if (holdsKey(asset[property], key)) {
          matches.push(asset.id);
          keep([asset]);
        }
      }
      if (matches.length > 1 || media.length < LOOKUP_PAGE_SIZE) return decide(key, matches);
      if (fresh === 0) {
        why = `it answers assets without that value and repeats page ${page - 1} as page ${page}`;
        break;
      }
    }
    return {
      kind: 'ambiguous',
      reason: `could not confirm which asset has ${metaproperty} = ${JSON.stringify(key)}: Bynder's filter on ${metaproperty} does not narrow the search (${why}); nothing was written. Match by Bynder asset id instead`,
    };
  };

  const resolveFresh = async (key: string): Promise<Resolution> => {
    if (ids.has(key)) {
      await recheckOnce();
      const cached = ids.get(key);
      if (cached !== undefined && confirmed.has(key)) {
        ids.delete(key); // re-insert: Map order is recency order, the oldest are evicted first
        ids.set(key, cached);
        return { kind: 'found', id: cached, fromCache: true };
      }
    }
    return lookUp(key);
  };

  return {
    keyCache: cache,
    resolve(key) {
      let answer = resolutions.get(key);
      if (!answer) {
        answer = resolveFresh(key).catch((error: unknown) => {
          resolutions.delete(key);
          throw error;
        });
        resolutions.set(key, answer);
      }
      return answer;
    },
    forget(key) {
      resolutions.delete(key);
      confirmed.delete(key);
      drop(key);
    },
    remember(key, id) {
      resolutions.set(key, Promise.resolve({ kind: 'found', id, fromCache: false }));
      ids.set(key, id);
      cache.changed = true;
    },
    assetRead: (id) => read.get(id),
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
  return externalKeyResolver(deps.api, await loadKeyCache(deps.kvStore, target.name), keys);
}
