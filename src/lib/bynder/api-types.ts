// Bynder API v4 shapes this app reads (see shared/reference/bynder-api-facts.md, sections 2-3).
// Only the fields we use are typed; Bynder sends many more.

/** Bynder sometimes sends booleans as 1/0. */
export type BynderBoolean = boolean | 0 | 1;

export interface MetapropertyOption {
  id: string;
  name: string;
  label?: string;
  displayLabel?: string;
  zindex?: number;
  isSelectable?: BynderBoolean;
  active?: BynderBoolean;
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
  isMultiselect?: BynderBoolean;
  isRequired?: BynderBoolean;
  isEditable?: BynderBoolean;
  isApiField?: BynderBoolean;
  zindex?: number;
  options?: MetapropertyOption[];
}

export interface Media {
  id: string;
  name?: string;
  description?: string;
  copyright?: string;
  tags?: string[];
  archive?: BynderBoolean;
  isPublic?: BynderBoolean;
  limited?: BynderBoolean;
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
