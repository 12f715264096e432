import type { SeedAsset } from './seed';
import type { Taxonomy } from './taxonomy';

/** One asset in the emulated portal. Metaproperty values are kept by metaproperty id. */
export interface StoredAsset {
  id: string;
  /** Every non-metaproperty field (name, tags, booleans, dates, and whatever else the seed carried). */
  fields: Record<string, unknown>;
  /** Metaproperty id → option ids (option types) or the raw text (text, longtext, date, unknown types). */
  values: Map<string, string[] | string>;
}

export const BOOLEAN_FIELDS = ['archive', 'isPublic', 'limited', 'watermarked'] as const;

/** Bynder's timestamp form: ISO 8601 in UTC without milliseconds. */
export function bynderTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * true/false, 1/0 and their string forms in any case (Bynder's C# and Python SDKs send `True` and
 * `False`); anything else is not a boolean.
 */
export function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  return undefined;
}

/**
 * Turns a seed asset (a `GET /api/v4/media/{id}/` object, leniently read) into a stored asset.
 * Problems that do not stop loading (an unknown metaproperty, an unknown option value) are
 * reported through `warn` and the value is left out.
 */
export function fromSeedAsset(
  raw: SeedAsset,
  taxonomy: Taxonomy,
  now: number,
  warn: (message: string) => void,
): StoredAsset {
  const fields: Record<string, unknown> = {};
  const values = new Map<string, string[] | string>();
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'propertyOptions' || key === 'dateRemoved') continue;
    if (key === 'relatedAssets') {
      readRelatedAssets(raw.id, value, taxonomy, values, warn);
      continue;
    }
    if (key.startsWith('property_')) {
      readPropertyValue(raw.id, key.slice('property_'.length), value, taxonomy, values, warn);
      continue;
    }
    fields[key] = value;
  }
  // propertyOptions fills option metaproperties that no property_<name> key covered.
  if (Array.isArray(raw.propertyOptions)) {
    for (const optionId of raw.propertyOptions) {
      const entry = typeof optionId === 'string' ? taxonomy.option(optionId) : undefined;
      if (!entry) {
        warn(`asset ${raw.id}: propertyOptions holds unknown option id ${String(optionId)}; left out`);
        continue;
      }
      const current = values.get(entry.metapropertyId);
      if (current === undefined) values.set(entry.metapropertyId, [optionId as string]);
      else if (Array.isArray(current) && !current.includes(optionId as string)) {
        current.push(optionId as string);
      }
    }
  }
  fields.name = typeof fields.name === 'string' ? fields.name : '';
  fields.description = typeof fields.description === 'string' ? fields.description : '';
  fields.copyright = typeof fields.copyright === 'string' ? fields.copyright : '';
  fields.tags = toTags(fields.tags);
  for (const field of BOOLEAN_FIELDS) fields[field] = toBoolean(fields[field]) ?? false;
  fields.dateCreated = typeof fields.dateCreated === 'string' ? fields.dateCreated : bynderTimestamp(now);
  fields.dateModified = typeof fields.dateModified === 'string' ? fields.dateModified : fields.dateCreated;
  fields.datePublished = typeof fields.datePublished === 'string' ? fields.datePublished : fields.dateCreated;
  fields.type = typeof fields.type === 'string' ? fields.type : 'image';
  return { id: raw.id, fields, values };
}

function readPropertyValue(
  assetId: string,
  name: string,
  value: unknown,
  taxonomy: Taxonomy,
  values: Map<string, string[] | string>,
  warn: (message: string) => void,
): void {
  const mp = taxonomy.byName(name);
  if (!mp) {
    warn(`asset ${assetId}: property_${name} names no metaproperty of the seed; left out`);
    return;
  }
  const items = (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]).map(
    String,
  );
  if (!taxonomy.isOptionType(mp)) {
    // Text values may come as one-element arrays: keep the text either way.
    if (items.length > 0) values.set(mp.id, items.join(', '));
    return;
  }
  const ids: string[] = [];
  for (const item of items) {
    // A single string may be a comma list; try it whole first since option names may contain commas.
    const candidates = taxonomy.resolveOption(mp, item) ? [item] : item.split(',').map((part) => part.trim());
    for (const candidate of candidates) {
      const option = taxonomy.resolveOption(mp, candidate);
      if (option) ids.push(option.id);
      else warn(`asset ${assetId}: "${candidate}" is not an option of metaproperty ${mp.name}; left out`);
    }
  }
  if (ids.length > 0) values.set(mp.id, [...new Set(ids)]);
}

/**
 * `relatedAssets: [{metaPropertyId, metaPropertyName, assets}]`, as Bynder answers linked assets:
 * each entry names its metaproperty by id (or else by name) and is kept as the comma list of ids.
 */
function readRelatedAssets(
  assetId: string,
  value: unknown,
  taxonomy: Taxonomy,
  values: Map<string, string[] | string>,
  warn: (message: string) => void,
): void {
  for (const entry of Array.isArray(value) ? (value as unknown[]) : [value]) {
    const { metaPropertyId, metaPropertyName, assets } = (entry ?? {}) as Record<string, unknown>;
    const mp =
      (typeof metaPropertyId === 'string' ? taxonomy.get(metaPropertyId) : undefined) ??
      (typeof metaPropertyName === 'string' ? taxonomy.byName(metaPropertyName) : undefined);
    if (!mp) {
      warn(`asset ${assetId}: a relatedAssets entry names no metaproperty of the seed; left out`);
      continue;
    }
    const ids = Array.isArray(assets) ? assets.map(String).filter((id) => id !== '') : [];
    if (ids.length > 0) values.set(mp.id, ids.join(','));
  }
}

export function toTags(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return splitList(value);
  return [];
}

/** A comma list as Bynder's form fields carry it; blanks dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
