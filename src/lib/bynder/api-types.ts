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
