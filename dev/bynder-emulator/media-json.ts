import type { Media } from '../../src/lib/bynder/api-types';
import { BOOLEAN_FIELDS, type StoredAsset } from './stored-asset';
import type { Taxonomy } from './taxonomy';

/** An asset as the API answers it: the typed fields the app reads, plus every other field. */
export type MediaJson = Media & Record<string, unknown>;

export interface MediaView {
  booleansAsNumbers: boolean;
  textValuesAsArrays: boolean;
}

/**
 * An asset as `GET /api/v4/media/{id}/` answers it (facts 3.2): metaproperty values under
 * `property_<metaproperty name>` (option NAMES as an array, text as a string), all option ids
 * flat in `propertyOptions`.
 */
export function renderMedia(asset: StoredAsset, taxonomy: Taxonomy, view: MediaView): MediaJson {
  const json: Record<string, unknown> = { ...structuredClone(asset.fields), id: asset.id };
  for (const field of BOOLEAN_FIELDS) {
    const value = json[field] === true;
    json[field] = view.booleansAsNumbers ? Number(value) : value;
  }
  const propertyOptions: string[] = [];
  const properties: Record<string, string | string[]> = {};
  for (const [metapropertyId, value] of asset.values) {
    const mp = taxonomy.get(metapropertyId);
    if (!mp) continue;
    if (Array.isArray(value)) {
      propertyOptions.push(...value);
      properties[`property_${mp.name}`] = value.map((id) => taxonomy.option(id)?.option.name ?? id);
    } else {
      properties[`property_${mp.name}`] = view.textValuesAsArrays ? [value] : value;
    }
  }
  return { ...json, propertyOptions, ...properties } as MediaJson;
}
