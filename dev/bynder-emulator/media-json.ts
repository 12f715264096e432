import { renderFlags } from './flags';
import { BOOLEAN_FIELDS, splitList, type StoredAsset } from './stored-asset';
import type { Taxonomy } from './taxonomy';

/**
 * An asset as `GET /api/v4/media/{id}/` answers it, in the words of Bynder's asset OpenAPI
 * (https://api.bynder.com/reference/get_api-v4-media-id). Declared here rather than shared with the
 * app's client, so a mistake in the client's reading of Bynder cannot hide in both.
 */
export interface MediaJson {
  id: string;
  name?: string;
  description?: string;
  copyright?: string;
  tags?: string[];
  /** Typed as the canonical view has them; with `booleansAsNumbers` the wire carries 1/0 instead. */
  archive?: boolean;
  isPublic?: boolean;
  limited?: boolean;
  datePublished?: string;
  dateModified?: string;
  dateCreated?: string;
  /** Every selected option's id, of every option metaproperty. */
  propertyOptions: string[];
  relatedAssets?: RelatedAssets[];
  /** `property_<metaproperty name>`: option names (array) or text (string, or a one-element array). */
  [property: `property_${string}`]: string | string[] | undefined;
  /** The many fields the app does not read (thumbnails, dimensions, ...), kept as seeded. */
  [field: string]: unknown;
}

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
