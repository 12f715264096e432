import { splitList, toBoolean, toTags } from './stored-asset';
import type { Taxonomy } from './taxonomy';

/** A modify request, parsed and ready to apply once the 202 delay has passed. */
export interface MediaPatch {
  /** Standard fields, normalized (tags as an array, booleans as booleans). */
  fields: Record<string, unknown>;
  /** Metaproperty id → option ids or raw text; null clears the metaproperty. */
  values: Map<string, string[] | string | null>;
}

export type MediaFormResult = { ok: true; patch: MediaPatch } | { ok: false; message: string };

/** Form fields of `POST /api/v4/media/{id}/` stored as sent. */
const TEXT_FIELDS = new Set([
  'name',
  'description',
  'copyright',
  'datePublished',
  'archiveDate',
  'limitedDate',
  'watermarkDate',
  'brandId',
]);
const BOOLEAN_FIELDS = new Set(['archive', 'isPublic', 'limited']);
/** Documented fields the emulator accepts without effect (no thumbnails here; `id` is the SDK variant's). */
const INERT_FIELDS = new Set(['id', 'customThumbnailFileId', 'removeCustomThumbnail']);
const METAPROPERTY_PREFIX = 'metaproperty.';

const INVALID_METAPROPERTY_ID = 'Invalid metaproperty ID';
const INVALID_OPTION_ID = 'Invalid metaproperty option id';

/**
 * Reads the form-encoded body of a modify. Faithful default: whatever Bynder would silently
 * ignore (unknown keys, unknown metaproperty ids, unknown option values, non-boolean flags) is
 * ignored here too (https://api.bynder.com/reference/post_api-v4-media-id). `strict` is EMULATOR-ONLY: it answers those with 400 so tests can
 * prove the app never sends them.
 */
export function parseMediaForm(
  form: Record<string, unknown>,
  taxonomy: Taxonomy,
  strict: boolean,
): MediaFormResult {
  const patch: MediaPatch = { fields: {}, values: new Map() };
  for (const [key, rawValue] of Object.entries(form)) {
    // A repeated key (`tags=a&tags=b`) is how Bynder's JS and Python SDKs send a list: every value
    // is kept, joined into the comma list Bynder's form fields carry.
    const value = Array.isArray(rawValue) ? rawValue.map(String).join(',') : String(rawValue);
    if (TEXT_FIELDS.has(key)) patch.fields[key] = value;
    else if (key === 'tags') patch.fields.tags = toTags(value);
    else if (BOOLEAN_FIELDS.has(key)) {
      const flag = toBoolean(value);
      if (flag !== undefined) patch.fields[key] = flag;
      else if (strict) return { ok: false, message: `Invalid value for ${key}` };
    } else if (INERT_FIELDS.has(key)) continue;
    else if (key.startsWith(METAPROPERTY_PREFIX)) {
      const failure = readMetapropertyField(
        key.slice(METAPROPERTY_PREFIX.length),
        value,
        taxonomy,
        strict,
        patch,
      );
      if (failure) return { ok: false, message: failure };
    } else if (strict) return { ok: false, message: INVALID_METAPROPERTY_ID };
  }
  return { ok: true, patch };
}

function readMetapropertyField(
  metapropertyId: string,
  value: string,
  taxonomy: Taxonomy,
  strict: boolean,
  patch: MediaPatch,
): string | undefined {
  const mp = taxonomy.get(metapropertyId);
  if (!mp) return strict ? INVALID_METAPROPERTY_ID : undefined;
  // An empty value clears the metaproperty.
  if (value.trim() === '') {
    patch.values.set(mp.id, null);
    return undefined;
  }
  if (!taxonomy.isOptionType(mp)) {
    patch.values.set(mp.id, value);
    return undefined;
  }
  const ids: string[] = [];
  for (const item of splitList(value)) {
    const option = taxonomy.resolveOption(mp, item);
    if (option) ids.push(option.id);
    else if (strict) return INVALID_OPTION_ID;
  }
  // Nothing resolvable: Bynder ignores the value rather than clearing (it never reported an error).
  if (ids.length > 0) patch.values.set(mp.id, [...new Set(ids)]);
  return undefined;
}
