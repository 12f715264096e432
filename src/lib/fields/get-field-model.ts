import type { BynderApi } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import { ConfigError } from '../config';
import type { MetapropertyListing } from '../bynder/api-types';
import { EMBEDDED_OPTIONS_TRUSTED_BELOW } from '../bynder/metaproperty-listing';
import type { Clock, InstallScope, KeyValueStore, Logger, Random } from '../runtime-ports';
import { decodeListing, encodeListing } from './cached-listing';
import type { FieldModel } from './field';
import { buildFieldModel } from './field-model';
import { FieldNamePinsError, pinFieldNames } from './field-name-pins';
import {
  deleteMetapropertyCache,
  METAPROPERTY_FRESH_MS,
  type MetapropertyCopy,
  readMetapropertyHead,
  readMetapropertyShards,
  readMetapropertyStamp,
  serializeListing,
  writeMetapropertyCache,
} from './metaproperty-cache';
import { MetapropertiesUnavailableError } from './MetapropertiesUnavailableError';
import { STANDARD_FIELD_NAMES } from './standard-fields';

// The one way to the field model, for the schema function and deliver() alike.
//
// Fresh cached copy (< 15 min): no request. Stale copy: refresh now, and fall back to the copy if
// Bynder fails. We refresh before returning rather than in the background because an OCP
// invocation may be frozen or ended as soon as it returns, so background work would often be lost;
// the cost is one listing every 15 minutes for one caller. No copy and no Bynder: a
// MetapropertiesUnavailableError telling the user what to do. Never an empty model: the standard
// fields are always there.

export interface FieldModelDeps extends InstallScope {
  config: AppConfig;
  api: BynderApi;
  kvStore: KeyValueStore;
  logger: Logger;
  clock: Clock;
  /** Draws the cached copy's generation id; the system's when absent. */
  random?: Random;
}

/** A cached copy stamped this far in the future (clock skew between hosts) is treated as stale. */
const MAX_CLOCK_SKEW_MS = 60 * 1000;

// deliver() runs all day in one process: keep the last model, reused while the cached copy (and
// config that shapes the model) is unchanged, so validators are not rebuilt for every batch and,
// while the copy is fresh, only its stamp is read (not the head, nor the shards of a large copy).
// One per install: installs on one portal each pin their own field names (in their own kvStore)
// and may key records differently, so one install's model is never another's.
interface Memo {
  key: string;
  /** The content hash of the cached copy the model was built from. */
  hash: string;
  model: FieldModel;
}
const memos = new Map<string, Memo>();
/** Installs whose model is kept; past this, the one kept longest ago is dropped (rebuilt when asked). */
const MEMO_INSTALLS = 16;

const installOf = (deps: FieldModelDeps): string => deps.install ?? '';

function keepMemo(install: string, memo: Memo | undefined): void {
  memos.delete(install); // re-inserted last: Map order is then least recently kept first
  if (!memo) return;
  memos.set(install, memo);
  const oldest = memos.keys().next();
  if (memos.size > MEMO_INSTALLS && !oldest.done) memos.delete(oldest.value);
}

const memoKeyOf = (portalUrl: string, deps: FieldModelDeps): string =>
  `${portalUrl}|${JSON.stringify(deps.config.primaryKey)}`;

const isFresh = (fetchedAt: number, deps: FieldModelDeps): boolean => {
  const age = deps.clock.now() - fetchedAt;
  return age >= -MAX_CLOCK_SKEW_MS && age < METAPROPERTY_FRESH_MS;
};

/** Which copy a model is built from: its portal, when it was fetched and its content hash. */
type CopyStamp = Pick<MetapropertyCopy, 'portalUrl' | 'fetchedAt' | 'hash'>;

/**
 * The model for a copy: the memo's when it was built from the same copy (same hash), else built from
 * the listing `load` gives; undefined when `load` finds the copy unreadable.
 */
async function modelFrom(
  stamp: CopyStamp,
  deps: FieldModelDeps,
  load: () => Promise<MetapropertyListing | undefined>,
): Promise<FieldModel | undefined> {
  const key = memoKeyOf(stamp.portalUrl, deps);
  const install = installOf(deps);
  const memo = memos.get(install);
  if (memo && memo.key === key && memo.hash === stamp.hash) {
    // Same metaproperties, fetched again: keep the model, take the new stamp (the stamp check needs it).
    if (memo.model.fetchedAt === stamp.fetchedAt) return memo.model;
    const restamped = { ...memo, model: { ...memo.model, fetchedAt: stamp.fetchedAt } };
    keepMemo(install, restamped);
    return restamped.model;
  }
  const listing = await load();
  if (!listing) return undefined;
  const { metaproperties, skipped } = listing;
  // Pinned names never change, so a model whose every metaproperty has a pin may be kept; one with
  // unpinned metaproperties is built again next time, to try pinning them again.
  const pinned = await pinFieldNames(deps.kvStore, stamp.portalUrl, metaproperties, STANDARD_FIELD_NAMES);
  const model = {
    ...buildFieldModel(metaproperties, {
      primaryKey: deps.config.primaryKey,
      logger: deps.logger,
      fetchedAt: stamp.fetchedAt,
      names: pinned.names,
      skipped,
    }),
    hash: stamp.hash,
  };
  keepMemo(install, pinned.complete ? { key, hash: stamp.hash, model } : undefined);
  return model;
}

/** The model from the cached copy the head names, reading its shards only when the memo is not it. */
const modelFromCopy = (copy: MetapropertyCopy, deps: FieldModelDeps) =>
  modelFrom(copy, deps, () => readMetapropertyShards(deps.kvStore, copy, deps.logger));

/** Errors that must reach the caller as they are, not be taken for an unreadable cached copy. */
const isFinal = (error: unknown): boolean =>
  error instanceof ConfigError || error instanceof FieldNamePinsError;

/**
 * Lists the metaproperties, caches the copy, and builds the model from the copy as cached. When the
 * previous copy had an option list long enough to be paged, the listing leaves options out: they
 * would be paged anyway, and embedded they are the bulk of a listing of many megabytes.
 */
async function fetchModel(deps: FieldModelDeps, previous: MetapropertyCopy | undefined): Promise<FieldModel> {
  const embedOptions = (previous?.longestOptionList ?? 0) < EMBEDDED_OPTIONS_TRUSTED_BELOW;
  const listing = await deps.api.listMetaproperties({ embedOptions });
  const cached = encodeListing(listing);
  const { json, hash } = serializeListing(cached);
  const stamp = { portalUrl: deps.config.portalUrl, fetchedAt: deps.clock.now(), hash };
  const longestOptionList = Math.max(0, ...listing.metaproperties.map((mp) => mp.options?.length ?? 0));
  await writeMetapropertyCache(deps, { ...stamp, json, longestOptionList });
  const model = await modelFrom(stamp, deps, async () => decodeListing(cached));
  if (!model) throw new Error('unreachable: a listing in hand is always readable');
  return model;
}

/**
 * The field model for the configured portal, from the kvStore cache when fresh, else from Bynder.
 * `forceRefresh` asks Bynder even when the copy is fresh (still falling back to it on failure).
 * Throws MetapropertiesUnavailableError (Bynder failed, no copy) or ConfigError (e.g. the
 * external-key metaproperty does not exist).
 */
export async function getFieldModel(
  deps: FieldModelDeps,
  options: { forceRefresh?: boolean } = {},
): Promise<FieldModel> {
  const { portalUrl } = deps.config;
  const held = memos.get(installOf(deps)); // the memo may change while we await
  if (!options.forceRefresh && held?.key === memoKeyOf(portalUrl, deps)) {
    const stamp = await readMetapropertyStamp(deps.kvStore, portalUrl);
    if (stamp && stamp.fetchedAt === held.model.fetchedAt && isFresh(stamp.fetchedAt, deps)) {
      return held.model;
    }
  }
  const cached = await readMetapropertyHead(deps.kvStore, portalUrl, deps.logger);
  if (cached && !options.forceRefresh && isFresh(cached.fetchedAt, deps)) {
    try {
      const model = await modelFromCopy(cached, deps); // undefined: unreadable, logged; fetch again
      if (model) return model;
    } catch (error) {
      if (isFinal(error)) throw error;
      deps.logger.warn(
        `The cached Bynder metaproperties are unreadable; fetching them again: ${String(error)}`,
      );
    }
  }

  try {
    return await fetchModel(deps, cached);
  } catch (error) {
    if (isFinal(error)) throw error;
    if (!cached) throw new MetapropertiesUnavailableError(error);
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn(
      `Bynder metaproperties could not be refreshed (${message}); using the copy fetched ${new Date(cached.fetchedAt).toISOString()}`,
    );
    let model: FieldModel | undefined;
    try {
      model = await modelFromCopy(cached, deps);
    } catch (cacheError) {
      if (isFinal(cacheError)) throw cacheError;
    }
    // The copy is unreadable too: same as having none.
    if (!model) throw new MetapropertiesUnavailableError(error);
    return model;
  }
}

/**
 * Drop the cached metaproperties (and the in-process models), e.g. when the connection settings
 * change. Every install's model goes: the others rebuild theirs from their own cached copy.
 */
export async function invalidateFieldModel(kvStore: KeyValueStore): Promise<void> {
  memos.clear();
  await deleteMetapropertyCache(kvStore);
}
