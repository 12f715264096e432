import { z } from 'zod';

import type { Metaproperty, MetapropertyListing, MetapropertyOption } from '../bynder/api-types';
import { metapropertySchema } from '../bynder/response-schemas';
import { KV_ROWS } from '../state/kv-rows';
import type { KeyValueStore, Logger } from '../runtime-ports';
import { readStateRow, replaceStateRow, stateRow } from '../state/state-row';

// The portal's metaproperties, kept in the kvStore so the schema function and every deliver()
// batch do not list them again. One row: a compact JSON string (only what the field model reads)
// plus when and from which portal it was fetched.

const METAPROPERTY_CACHE_KEY = KV_ROWS.metaproperties.key;
/** How long a cached copy is used without asking Bynder. */
export const METAPROPERTY_FRESH_MS = 15 * 60 * 1000;

export interface CachedMetaproperties {
  /** The portal origin they came from; a copy from another portal is never used. */
  portalUrl: string;
  /** ms since the epoch. */
  fetchedAt: number;
  /** JSON of the compact listing (compactListing); a copy cached before left-out entries were kept is a bare array. */
  json: string;
}

const cacheRowSchema = z.object({ portalUrl: z.string(), fetchedAt: z.number(), json: z.string() });
const stampSchema = cacheRowSchema.pick({ portalUrl: true, fetchedAt: true });

/** A copy that does not parse (or is absent) reads as none: it costs a listing, never a wrong model. */
export const METAPROPERTY_CACHE_ROW = stateRow<CachedMetaproperties & Record<string, unknown>>(
  KV_ROWS.metaproperties,
  {
    schema: cacheRowSchema,
    empty: () => ({ portalUrl: '', fetchedAt: 0, json: '' }),
  },
);
const metapropertyArraySchema = z.array(metapropertySchema);
const skippedSchema = z.object({
  key: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
  problem: z.string(),
});
const cachedListingSchema = z.union([
  metapropertyArraySchema.transform((metaproperties) => ({ metaproperties, skipped: [] })),
  z.object({ metaproperties: metapropertyArraySchema, skipped: z.array(skippedSchema) }),
]);

function compactOption(option: MetapropertyOption): MetapropertyOption {
  return {
    id: option.id,
    name: option.name,
    ...(option.label && option.label !== option.name ? { label: option.label } : {}),
    ...(option.displayLabel && option.displayLabel !== option.label
      ? { displayLabel: option.displayLabel }
      : {}),
    ...(option.zindex !== undefined ? { zindex: option.zindex } : {}),
    ...(option.isSelectable === false ? { isSelectable: false } : {}),
    ...(option.active === false ? { active: false } : {}),
    ...(option.options?.length ? { options: option.options.map(compactOption) } : {}),
  };
}

/** Only the fields the field model reads; defaults (selectable, active) and label == name left out. */
export function compactMetaproperties(metaproperties: readonly Metaproperty[]): Metaproperty[] {
  return metaproperties.map((mp) => ({
    id: mp.id,
    name: mp.name,
    type: mp.type,
    ...(mp.label ? { label: mp.label } : {}),
    ...(mp.isMultiselect === true ? { isMultiselect: true } : {}),
    ...(mp.isRequired === true ? { isRequired: true } : {}),
    ...(mp.isEditable === false ? { isEditable: false } : {}),
    ...(mp.zindex !== undefined ? { zindex: mp.zindex } : {}),
    ...(mp.options?.length ? { options: mp.options.map(compactOption) } : {}),
  }));
}

/** The listing as cached: compact metaproperties, and the left-out entries so their report survives. */
export function compactListing(listing: MetapropertyListing): MetapropertyListing {
  return { metaproperties: compactMetaproperties(listing.metaproperties), skipped: listing.skipped };
}

/** Parses a cached JSON string back into a listing; throws a ZodError/SyntaxError on a corrupt copy. */
export function parseCachedMetaproperties(json: string): MetapropertyListing {
  return cachedListingSchema.parse(JSON.parse(json));
}

/** The cached copy for `portalUrl`, or undefined (none, another portal's, unreadable: logged). */
export async function readMetapropertyCache(
  kvStore: KeyValueStore,
  portalUrl: string,
  logger: Logger,
): Promise<CachedMetaproperties | undefined> {
  let row: CachedMetaproperties;
  try {
    row = await readStateRow(kvStore, METAPROPERTY_CACHE_ROW);
  } catch (error) {
    logger.warn(`Could not read the cached Bynder metaproperties; asking Bynder: ${String(error)}`);
    return undefined;
  }
  return row.portalUrl === portalUrl ? row : undefined;
}

/**
 * Only when and from which portal the cached copy was fetched: a small read of two fields, so a
 * caller that already holds the model built from that copy need not read the whole row again.
 */
export async function readMetapropertyStamp(
  kvStore: KeyValueStore,
  portalUrl: string,
): Promise<{ fetchedAt: number } | undefined> {
  try {
    const row = stampSchema.safeParse(await kvStore.get(METAPROPERTY_CACHE_KEY, ['portalUrl', 'fetchedAt']));
    return row.success && row.data.portalUrl === portalUrl ? { fetchedAt: row.data.fetchedAt } : undefined;
  } catch {
    return undefined; // the full read that follows logs the failure
  }
}

/** Stores a fresh copy; a failing kvStore only costs a later request, so it is logged, not thrown. */
export async function writeMetapropertyCache(
  kvStore: KeyValueStore,
  entry: CachedMetaproperties,
  logger: Logger,
): Promise<void> {
  try {
    const outcome = await replaceStateRow(kvStore, METAPROPERTY_CACHE_ROW, { ...entry });
    if (outcome.status === 'over-budget') {
      logger.warn(
        `Did not cache the Bynder metaproperties: ${outcome.bytes} bytes, over the row's budget of ${outcome.budget}; each invocation lists them again`,
      );
    }
  } catch (error) {
    logger.warn(
      `Could not cache the Bynder metaproperties (${entry.json.length} characters): ${String(error)}`,
    );
  }
}

export async function deleteMetapropertyCache(kvStore: KeyValueStore): Promise<void> {
  await kvStore.delete(METAPROPERTY_CACHE_KEY);
}
