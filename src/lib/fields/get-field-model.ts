import type { BynderApi } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import { ConfigError } from '../config';
import type { Clock, InstallScope, KeyValueStore, Logger } from '../runtime-ports';
import type { FieldModel } from './field';
import { buildFieldModel } from './field-model';
import { FieldNamePinsError, pinFieldNames } from './field-name-pins';
import type { CachedMetaproperties } from './metaproperty-cache';
import {
  compactListing,
  deleteMetapropertyCache,
  METAPROPERTY_FRESH_MS,
  parseCachedMetaproperties,
  readMetapropertyCache,
  readMetapropertyStamp,
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
}

/** A cached copy stamped this far in the future (clock skew between hosts) is treated as stale. */
const MAX_CLOCK_SKEW_MS = 60 * 1000;

// deliver() runs all day in one process: keep the last model, reused while the cached copy (and
// config that shapes the model) is unchanged, so validators are not rebuilt for every batch and,
// while the copy is fresh, only its two-field stamp is read (not the whole, possibly large, row).
// One per install: installs on one portal each pin their own field names (in their own kvStore)
// and may key records differently, so one install's model is never another's.
interface Memo {
  key: string;
  json: string;
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

async function modelFrom(entry: CachedMetaproperties, deps: FieldModelDeps): Promise<FieldModel> {
  const key = memoKeyOf(entry.portalUrl, deps);
  const install = installOf(deps);
  const memo = memos.get(install);
  if (memo && memo.key === key && memo.json === entry.json) {
    // Same metaproperties, fetched again: keep the model, take the new stamp (the stamp check needs it).
    if (memo.model.fetchedAt === entry.fetchedAt) return memo.model;
    const restamped = { ...memo, model: { ...memo.model, fetchedAt: entry.fetchedAt } };
    keepMemo(install, restamped);
    return restamped.model;
  }
  const { metaproperties, skipped } = parseCachedMetaproperties(entry.json);
  // Pinned names never change, so a model whose every metaproperty has a pin may be kept; one with
  // unpinned metaproperties is built again next time, to try pinning them again.
  const pinned = await pinFieldNames(deps.kvStore, entry.portalUrl, metaproperties, STANDARD_FIELD_NAMES);
  const model = buildFieldModel(metaproperties, {
    primaryKey: deps.config.primaryKey,
    logger: deps.logger,
    fetchedAt: entry.fetchedAt,
    names: pinned.names,
    skipped,
  });
  keepMemo(install, pinned.complete ? { key, json: entry.json, model } : undefined);
  return model;
}

/** Errors that must reach the caller as they are, not be taken for an unreadable cached copy. */
const isFinal = (error: unknown): boolean =>
  error instanceof ConfigError || error instanceof FieldNamePinsError;

async function fetchMetaproperties(deps: FieldModelDeps): Promise<CachedMetaproperties> {
  const listing = await deps.api.listMetaproperties();
  const entry = {
    portalUrl: deps.config.portalUrl,
    fetchedAt: deps.clock.now(),
    json: JSON.stringify(compactListing(listing)),
  };
  await writeMetapropertyCache(deps.kvStore, entry, deps.logger);
  return entry;
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
  const cached = await readMetapropertyCache(deps.kvStore, portalUrl, deps.logger);
  if (cached && !options.forceRefresh && isFresh(cached.fetchedAt, deps)) {
    try {
      return await modelFrom(cached, deps);
    } catch (error) {
      if (isFinal(error)) throw error;
      deps.logger.warn(
        `The cached Bynder metaproperties are unreadable; fetching them again: ${String(error)}`,
      );
    }
  }

  let fresh: CachedMetaproperties;
  try {
    fresh = await fetchMetaproperties(deps);
  } catch (error) {
    if (!cached) throw new MetapropertiesUnavailableError(error);
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn(
      `Bynder metaproperties could not be refreshed (${message}); using the copy fetched ${new Date(cached.fetchedAt).toISOString()}`,
    );
    try {
      return await modelFrom(cached, deps);
    } catch (cacheError) {
      if (isFinal(cacheError)) throw cacheError;
      throw new MetapropertiesUnavailableError(error); // the copy is unreadable too: same as having none
    }
  }
  return modelFrom(fresh, deps);
}

/**
 * Drop the cached metaproperties (and the in-process models), e.g. when the connection settings
 * change. Every install's model goes: the others rebuild theirs from their own cached copy.
 */
export async function invalidateFieldModel(kvStore: KeyValueStore): Promise<void> {
  memos.clear();
  await deleteMetapropertyCache(kvStore);
}
