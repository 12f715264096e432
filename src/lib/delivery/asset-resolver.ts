import type { Media } from '../bynder/api-types';
import type { BynderApi } from '../bynder/bynder-api';
import type { FieldModel } from '../fields/field';
import type { KeyValueStore } from '../runtime-ports';
import { type KeyCache, loadKeyCache } from './delivery-state';

// Record key → Bynder asset id. With asset_id as the primary key this is the identity. In external-key
// mode a text metaproperty holds the key: each new key costs one `findMediaByProperty` lookup (through
// the request budget like every request), and answers are kept in the external-key cache (one
// bounded kvStore row, see delivery-state.ts), because a lookup costs rate-limit budget and Bynder's
// search index lags behind its asynchronous writes.

export type Resolution =
  | { kind: 'found'; id: string; fromCache: boolean }
  /** No asset holds the key: an upsert is rejected, a delete has nothing left to do. */
  | { kind: 'missing'; reason: string }
  /** Several assets hold the key: rejected until the value is unique in Bynder. */
  | { kind: 'ambiguous'; reason: string };

export interface AssetResolver {
  resolve(key: string): Promise<Resolution>;
  /** Drops a cached answer that turned out stale (its asset is gone), so the next resolve looks again. */
  forget(key: string): void;
  /** What must be saved after the batch (external-key mode only). */
  readonly keyCache: KeyCache | undefined;
}

export const assetIdResolver: AssetResolver = {
  resolve: (key) => Promise.resolve({ kind: 'found', id: key, fromCache: false }),
  forget: () => undefined,
  keyCache: undefined,
};

export function externalKeyResolver(api: BynderApi, cache: KeyCache): AssetResolver {
  const { metaproperty } = cache;
  return {
    keyCache: cache,
    async resolve(key) {
      const cached = cache.ids.get(key);
      if (cached !== undefined) {
        cache.ids.delete(key); // re-insert: Map order is recency order, the oldest are evicted first
        cache.ids.set(key, cached);
        return { kind: 'found', id: cached, fromCache: true };
      }
      const matches = (await api.findMediaByProperty(metaproperty, key, 2)).filter((media) =>
        holdsExactly(media, metaproperty, key),
      );
      const [first] = matches;
      if (!first) {
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
      cache.ids.set(key, first.id);
      cache.changed = true;
      return { kind: 'found', id: first.id, fromCache: false };
    },
    forget(key) {
      cache.changed = cache.ids.delete(key) || cache.changed;
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
  return externalKeyResolver(deps.api, await loadKeyCache(deps.kvStore, target.name));
}
