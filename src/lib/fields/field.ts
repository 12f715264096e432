import type { Media } from '../bynder/api-types';
import type { WritePolicy } from '../config';
import type { Held } from './held-value';

// The field model's vocabulary: one Field per OCP destination field, built from Bynder's
// metaproperties and the standard asset fields. The schema function renders it; deliver()
// validates and encodes with it. Only src/lib/fields translates between OCP and Bynder words.

/** OCP primitive types this destination uses (a metaproperty value is text; the asset's flags are booleans). */
export type OcpFieldType = 'string' | 'boolean';

/** Where a field's value goes in Bynder. */
export type BynderTarget =
  | { kind: 'asset_id' }
  | { kind: 'standard'; property: string }
  /** The record's file: uploaded for a new asset or a new version, never modified (file-fields.ts). */
  | { kind: 'file'; part: 'file_url' | 'file_name' | 'file_version' }
  | {
      kind: 'metaproperty';
      id: string;
      name: string;
      label: string;
      type: string;
      multiple: boolean;
      required: boolean;
      optionCount: number;
    };

/** What one item value becomes, under the write policy. */
export type FieldWrite =
  /** Send `formKey=formValue`. `warnings` name values dropped under unknownOptions: 'drop'. */
  | { kind: 'set'; formValue: string; warnings: string[] }
  /** An empty value with emptyValues: 'clear': send `formKey=` (Bynder clears the value). */
  | { kind: 'clear' }
  /**
   * Send nothing for this field: an empty value with emptyValues: 'leave' (or a boolean, which has
   * no "unset"), or option values that were all dropped under unknownOptions: 'drop' (`warnings` name them).
   */
  | { kind: 'leave'; warnings?: string[] }
  /**
   * The value cannot be written. `problem` says what is wrong and what is allowed, without the
   * record key or field name (the caller adds those), e.g. `"Sumer" is not an option (Summer, Winter, ...)`.
   */
  | {
      kind: 'invalid';
      problem: string;
      /**
       * 'option': only Bynder's options are at fault (the value is no option, or one that cannot be
       * selected), so the same value may be written once Bynder has the option.
       */
      bynder?: 'option';
    };

export interface Field {
  /** OCP name: `^[a-z][a-z0-9_]{1,61}$`, unique, stable across relabelling. */
  name: string;
  displayName: string;
  description: string;
  type: OcpFieldType;
  primary: boolean;
  target: BynderTarget;
  /** The form key written by `POST /api/v4/media/{id}/` (`description`, `metaproperty.<id>`); undefined for asset_id. */
  formKey: string | undefined;
  /** Validate (zod, lossless coercion only) and encode one item value. Never throws. */
  toWrite(value: unknown, policy: Pick<WritePolicy, 'emptyValues' | 'unknownOptions'>): FieldWrite;
  /**
   * Whether `asset`, as Bynder's read answers it, already holds `formValue` (what toWrite encoded
   * for this field; '' clears). Change detection drops the field from a write only on 'holds'.
   */
  holds(asset: Media, formValue: string): Held;
  /**
   * A list field's entries as Bynder's read holds them, in the form its form value lists them
   * (option ids, tags); undefined when the read cannot establish them. Only lists have it
   * (multi-selects and tags): their add/remove values become one whole list computed from it.
   */
  heldList?: (asset: Media) => string[] | undefined;
  /** How a person knows one entry of this list's form value (an option id → its label); lists only. */
  describeEntry?: (entry: string) => string;
  /** Option fields (and their "add values"): what creating a value's missing options needs. */
  optionCreation?: OptionCreation;
}

/** How an option field's missing options are created under unknownOptions: 'create'. */
export interface OptionCreation {
  metapropertyId: string;
  /** The metaproperty's label, for messages. */
  label: string;
  /** Names its options have now: a new option's name never takes one. */
  existingNames: readonly string[];
  /** Why this metaproperty takes no new options from records; undefined when it does. */
  refused?: string;
  /** The texts of `value` that are no option of the metaproperty (the labels to create). */
  unknownIn(value: unknown): string[];
}

export interface FieldModel {
  /** Deterministic order: primary first, then standard fields, then by Bynder zindex, then name. */
  fields: readonly Field[];
  byName: ReadonlyMap<string, Field>;
  primary: Field;
  /** Metaproperties Bynder has that this model cannot write, with the reason (not editable, unknown type). */
  leftOut: ReadonlyArray<{ name: string; reason: string }>;
  /** When the metaproperties behind this model were fetched from Bynder (ms since epoch). */
  fetchedAt: number;
  /**
   * The content hash of the cached metaproperties it was built from: changes when Bynder's options or
   * fields do (records kept because of an option are then tried again). Absent: not from the cache.
   */
  hash?: string;
}
