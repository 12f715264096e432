import type { Media } from '../../src/lib/bynder/api-types';
import { renderFlags } from './flags';
import { BOOLEAN_FIELDS, splitList, type StoredAsset } from './stored-asset';
import type { Taxonomy } from './taxonomy';

/** An asset as the API answers it: the typed fields the app reads, plus every other field. */
export type MediaJson = Media & Record<string, unknown>;

export interface MediaView {
  booleansAsNumbers: boolean;
  textValuesAsArrays: boolean;
}

/**
 * The emulator's own form, independent of the rendering settings: JSON booleans, text as strings.
 * State dumps use it, so a test's oracle and a dump's bytes do not change with `configure()`.
 */
export const CANONICAL_VIEW: MediaView = { booleansAsNumbers: false, textValuesAsArrays: false };

/** Metaproperties of this type relate assets; Bynder answers them under `relatedAssets`. */
export const LINKED_ASSETS_TYPE = 'linked_assets';

/** One entry of an asset's `relatedAssets`, as in Bynder's asset OpenAPI. */
export interface RelatedAssets {
  metaPropertyId: string;
  metaPropertyName: string;
  assets: string[];
}

/**
 * An asset as `GET /api/v4/media/{id}/` answers it: metaproperty values under
 * `property_<metaproperty name>` (option NAMES as an array, text as a string), all option ids
 * flat in `propertyOptions`, and linked assets as `relatedAssets: [{metaPropertyId,
 * metaPropertyName, assets}]` (https://api.bynder.com/reference/get_api-v4-media-id), not as a
 * `property_<name>`. The stored value of a linked-assets metaproperty is the comma list of ids.
 */
export function renderMedia(asset: StoredAsset, taxonomy: Taxonomy, view: MediaView): MediaJson {
  const json: Record<string, unknown> = { ...structuredClone(asset.fields), id: asset.id };
  for (const field of BOOLEAN_FIELDS) json[field] = json[field] === true;
  const propertyOptions: string[] = [];
  const properties: Record<string, string | string[]> = {};
  const relatedAssets: RelatedAssets[] = [];
  for (const [metapropertyId, value] of asset.values) {
    const mp = taxonomy.get(metapropertyId);
    if (!mp) continue;
    if (Array.isArray(value)) {
      propertyOptions.push(...value);
      properties[`property_${mp.name}`] = value.map((id) => taxonomy.option(id)?.option.name ?? id);
    } else if (mp.type === LINKED_ASSETS_TYPE) {
      relatedAssets.push({ metaPropertyId: mp.id, metaPropertyName: mp.name, assets: splitList(value) });
    } else {
      properties[`property_${mp.name}`] = view.textValuesAsArrays ? [value] : value;
    }
  }
  return {
    ...renderFlags(json, view.booleansAsNumbers),
    propertyOptions,
    ...(relatedAssets.length > 0 ? { relatedAssets } : {}),
    ...properties,
  } as MediaJson;
}
