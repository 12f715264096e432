import { z } from 'zod';

import type {
  Metaproperty,
  MetapropertyListing,
  MetapropertyOption,
  SkippedMetaproperty,
} from '../bynder/api-types';

// The metaproperty listing as the kvStore keeps it: only what the field model and the option index
// read, options as short tuples. A taxonomy can hold 100,000 options (product codes kept as options),
// so the per-option cost decides the size: `["<id>","<name>",<zindex>,"<label>"]` is about 75 bytes
// for a Bynder id and a short label, where an object with its keys cost nearly twice that.
//
// What the option index reads of an option: id, name, label and display label (matched against what
// a person types), zindex (Bynder's order), isSelectable and active (whether Bynder takes it) and
// nested options. Defaults are left out: selectable and active, a label equal to the name, a display
// label equal to the label.

/** The format's version; a copy in another format is not read (a cache miss, then a refetch). */
export const CACHED_LISTING_FORMAT = 2;

/** What an option carries beyond id, name, zindex and label; absent when it carries nothing more. */
export interface CachedOptionExtras {
  displayLabel?: string;
  isSelectable?: false;
  active?: false;
  options?: CachedOption[];
}

/**
 * `[id, name, zindex, label, extras]`, trailing elements left out when absent (null stands in for
 * an absent zindex or label that has something after it).
 */
export type CachedOption = [
  id: string,
  name: string,
  zindex?: number | null,
  label?: string | null,
  extras?: CachedOptionExtras,
];

export interface CachedMetaproperty {
  id: string;
  name: string;
  type: string;
  label?: string;
  isMultiselect?: true;
  isRequired?: true;
  isEditable?: false;
  zindex?: number;
  options?: CachedOption[];
}

export interface CachedListing {
  format: typeof CACHED_LISTING_FORMAT;
  metaproperties: CachedMetaproperty[];
  /** Left-out metaproperties, so the field model's report of them survives the cache. */
  skipped: SkippedMetaproperty[];
}

const cachedOptionExtrasSchema: z.ZodType<CachedOptionExtras> = z.lazy(() =>
  z.strictObject({
    displayLabel: z.string().optional(),
    isSelectable: z.literal(false).optional(),
    active: z.literal(false).optional(),
    options: z.array(cachedOptionSchema).optional(),
  }),
);

// One tuple with optional trailing elements, not a union: 100,000 options are parsed on every read.
const cachedOptionSchema: z.ZodType<CachedOption> = z.tuple([
  z.string().min(1),
  z.string().min(1),
  z.number().nullable().optional(),
  z.string().nullable().optional(),
  cachedOptionExtrasSchema.optional(),
]);

const cachedMetapropertySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
  label: z.string().optional(),
  isMultiselect: z.literal(true).optional(),
  isRequired: z.literal(true).optional(),
  isEditable: z.literal(false).optional(),
  zindex: z.number().optional(),
  options: z.array(cachedOptionSchema).optional(),
});

/** The cached listing's shape; parsing a stored copy with it is what makes a corrupt one a miss. */
export const cachedListingSchema: z.ZodType<CachedListing> = z.strictObject({
  format: z.literal(CACHED_LISTING_FORMAT),
  metaproperties: z.array(cachedMetapropertySchema),
  skipped: z.array(
    z.strictObject({
      key: z.string(),
      id: z.string().optional(),
      name: z.string().optional(),
      problem: z.string(),
    }),
  ),
});

function encodeOption(option: MetapropertyOption): CachedOption {
  const label = option.label && option.label !== option.name ? option.label : null;
  const extras: CachedOptionExtras = {
    ...(option.displayLabel && option.displayLabel !== (option.label ?? option.name)
      ? { displayLabel: option.displayLabel }
      : {}),
    ...(option.isSelectable === false ? { isSelectable: false } : {}),
    ...(option.active === false ? { active: false } : {}),
    ...(option.options?.length ? { options: option.options.map(encodeOption) } : {}),
  };
  const zindex = option.zindex ?? null;
  if (Object.keys(extras).length > 0) return [option.id, option.name, zindex, label, extras];
  if (label !== null) return [option.id, option.name, zindex, label];
  return zindex === null ? [option.id, option.name] : [option.id, option.name, zindex];
}

function decodeOption([id, name, zindex, label, extras]: CachedOption): MetapropertyOption {
  const displayLabel = extras?.displayLabel;
  return {
    id,
    name,
    // The index treats an absent label as the name, and ranks a label equal to the name as the name.
    ...(label !== undefined && label !== null ? { label } : {}),
    ...(displayLabel !== undefined ? { displayLabel } : {}),
    ...(zindex !== undefined && zindex !== null ? { zindex } : {}),
    ...(extras?.isSelectable === false ? { isSelectable: false } : {}),
    ...(extras?.active === false ? { active: false } : {}),
    ...(extras?.options ? { options: extras.options.map(decodeOption) } : {}),
  };
}

/** The listing as cached: only what the field model reads, options as tuples. */
export function encodeListing(listing: MetapropertyListing): CachedListing {
  return {
    format: CACHED_LISTING_FORMAT,
    metaproperties: listing.metaproperties.map((mp): CachedMetaproperty => ({
      id: mp.id,
      name: mp.name,
      type: mp.type,
      ...(mp.label ? { label: mp.label } : {}),
      ...(mp.isMultiselect === true ? { isMultiselect: true } : {}),
      ...(mp.isRequired === true ? { isRequired: true } : {}),
      ...(mp.isEditable === false ? { isEditable: false } : {}),
      ...(mp.zindex !== undefined ? { zindex: mp.zindex } : {}),
      ...(mp.options?.length ? { options: mp.options.map(encodeOption) } : {}),
    })),
    skipped: listing.skipped.map((entry) => ({
      key: entry.key,
      ...(entry.id !== undefined ? { id: entry.id } : {}),
      ...(entry.name !== undefined ? { name: entry.name } : {}),
      problem: entry.problem,
    })),
  };
}

/** The listing the field model is built from. */
export function decodeListing(cached: CachedListing): MetapropertyListing {
  return {
    metaproperties: cached.metaproperties.map(({ options, ...mp }): Metaproperty => ({
      ...mp,
      ...(options ? { options: options.map(decodeOption) } : {}),
    })),
    skipped: cached.skipped.map((entry) => ({ ...entry })),
  };
}
