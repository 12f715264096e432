// Bynder API v4 shapes this app reads (https://api.bynder.com/reference/get_api-v4-metaproperties,
// https://api.bynder.com/reference/get_api-v4-media). Only the fields we use are typed; Bynder sends
// many more. Booleans are plain booleans here: Bynder sends them as 1/0 or true/false, and
// response-schemas.ts, the one reader of Bynder's answers, normalises them.

export interface MetapropertyOption {
  id: string;
  name: string;
  label?: string;
  displayLabel?: string;
  zindex?: number;
  isSelectable?: boolean;
  active?: boolean;
  externalReference?: string;
  /** Hierarchical taxonomies nest child options here. */
  options?: MetapropertyOption[];
}

export interface Metaproperty {
  id: string;
  /** Immutable database name; the stable key for field naming. */
  name: string;
  /** Display label; admins can change it. */
  label?: string;
  /** select | select2 | autocomplete | text | longtext | date | linked_assets | ... */
  type: string;
  isMultiselect?: boolean;
  isRequired?: boolean;
  isEditable?: boolean;
  isApiField?: boolean;
  zindex?: number;
  options?: MetapropertyOption[];
}

/** A listed metaproperty the client cannot read, left out of the listing with what is wrong with it. */
export interface SkippedMetaproperty {
  /** Its key in Bynder's keyed listing (the index, for a list). */
  key: string;
  id?: string;
  name?: string;
  /** What is wrong, e.g. `"type" is missing` or `option 3 ("emea"): "name" is empty`. */
  problem: string;
}

/** The metaproperties the client could read, and those it left out, each with its problem. */
export interface MetapropertyListing {
  metaproperties: Metaproperty[];
  skipped: SkippedMetaproperty[];
}

export interface Media {
  id: string;
  name?: string;
  description?: string;
  copyright?: string;
  tags?: string[];
  archive?: boolean;
  isPublic?: boolean;
  limited?: boolean;
  datePublished?: string;
  archiveDate?: string;
  limitedDate?: string;
  watermarkDate?: string;
  brandId?: string;
  dateModified?: string;
  propertyOptions?: string[];
  /** `property_<metaproperty name>`: option names (array) or text (string, sometimes an array). */
  [property: `property_${string}`]: string | string[] | undefined;
}

/** Bynder's v4 error envelope; `statuscode` comes as a number or a string. */
export interface BynderEnvelope {
  message: string;
  statuscode: number | string;
}
