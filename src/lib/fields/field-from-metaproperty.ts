import type { Metaproperty, MetapropertyOption } from '../bynder/api-types';
import { OPTION_METAPROPERTY_TYPES } from '../bynder/constants';
import type { BynderTarget, Field, FieldWrite } from './field';
import { isEmptyValue, writeScalar } from './field-write';
import { DATE_DESCRIPTION } from './date-value';
import { readAssetValue } from './held-value';
import { buildOptionIndex } from './option-index';
import { findUnknownOptions, holdsOptions, readHeldOptionIds, writeOptions } from './option-value';
import { MAX_TEXT_LENGTH } from './text-value';
import { type ScalarKind, SCALAR_KINDS } from './value-kinds';

// One Bynder metaproperty → one OCP field (or none). fieldFromMetaproperty is the whole type mapping:
// a metaproperty that carries options takes option names or labels, whatever its type is called
// (select, select2 and autocomplete always do; Bynder's own listing example shows `sidebar` with
// options, https://api.bynder.com/reference/get_api-v4-metaproperties); text, longtext and date take
// text. Every OCP type here is `string`, since Bynder's v4 API has no numeric or boolean
// metaproperties. Any other metaproperty is left out, with its reason.

/** The text-valued metaproperty types: how the schema describes each, and the kind of value it takes. */
const SCALAR_TYPES: Readonly<Record<string, { what: string; kind: ScalarKind }>> = {
  text: {
    what: `text, up to ${MAX_TEXT_LENGTH.toLocaleString('en-US')} characters`,
    kind: SCALAR_KINDS.text,
  },
  longtext: { what: 'long text', kind: SCALAR_KINDS.longText },
  date: { what: DATE_DESCRIPTION, kind: SCALAR_KINDS.date },
};

/** Where a read answer carries a metaproperty's value (https://api.bynder.com/reference/get_api-v4-media-id). */
const propertyKey = (mp: Metaproperty) => `property_${mp.name}`;

/** The label a person knows the metaproperty by; the name when the label is empty. */
export function labelOf(mp: Pick<Metaproperty, 'label' | 'name'>): string {
  return mp.label?.trim() || mp.name;
}

/**
 * Whether the metaproperty's values are options: one of the option types (even while it has no
 * options yet), or a type other than the documented text-valued ones (text, longtext, date, whose
 * values "are submitted directly") that carries options. Such a value is written as option ids.
 */
export function isOptionMetaproperty(mp: Pick<Metaproperty, 'type' | 'options'>): boolean {
  const type = mp.type.toLowerCase();
  if (OPTION_METAPROPERTY_TYPES.has(type)) return true;
  return !Object.hasOwn(SCALAR_TYPES, type) && (mp.options?.length ?? 0) > 0;
}

/**
 * Why this metaproperty gets no field, or undefined when it gets one: not editable, or neither
 * carrying options nor of a text-valued type. Does not look at `isApiField` (undocumented).
 */
export function leftOutReason(mp: Metaproperty): string | undefined {
  if (mp.isEditable === false) return 'not editable in Bynder';
  if (isOptionMetaproperty(mp) || Object.hasOwn(SCALAR_TYPES, mp.type.toLowerCase())) return undefined;
  return `type "${mp.type}" cannot be written safely: it carries no options and is not text, long text or a date`;
}

export interface FieldNaming {
  /** Unique OCP name (assignFieldNames). */
  name: string;
  /** Unique display name (assignDisplayNames). */
  displayName: string;
  /** The external-key field in external_key mode. */
  primary?: boolean;
}

function describe(mp: Metaproperty, what: string, naming: FieldNaming): string {
  const notes = [`${labelOf(mp)}: ${what}`];
  if (mp.isRequired === true) notes.push('required in Bynder');
  if (naming.primary) notes.push('primary key: finds the Bynder asset whose value equals this one');
  return notes.join('; ');
}

function targetOf(mp: Metaproperty, multiple: boolean, optionCount: number): BynderTarget {
  return {
    kind: 'metaproperty',
    id: mp.id,
    name: mp.name,
    label: labelOf(mp),
    type: mp.type.toLowerCase(),
    multiple,
    required: mp.isRequired === true,
    optionCount,
  };
}

/** What every metaproperty field shares; kinds differ only in the description, target and encoder. */
function metapropertyField(
  mp: Metaproperty,
  naming: FieldNaming,
  parts: {
    what: string;
    target: BynderTarget;
    toWrite: Field['toWrite'];
    holds: Field['holds'];
    heldList?: Field['heldList'];
    describeEntry?: Field['describeEntry'];
    optionCreation?: Field['optionCreation'];
  },
): Field {
  return {
    ...(parts.heldList ? { heldList: parts.heldList } : {}),
    ...(parts.optionCreation ? { optionCreation: parts.optionCreation } : {}),
    ...(parts.describeEntry ? { describeEntry: parts.describeEntry } : {}),
    name: naming.name,
    displayName: naming.displayName,
    description: describe(mp, parts.what, naming),
    type: 'string',
    primary: naming.primary ?? false,
    target: parts.target,
    formKey: `metaproperty.${mp.id}`,
    toWrite: parts.toWrite,
    holds: parts.holds,
  };
}

function optionField(mp: Metaproperty, naming: FieldNaming): Field {
  const multiple = mp.isMultiselect === true;
  const index = buildOptionIndex(mp.options ?? []);
  const count = index.selectable.length;
  const counted = `${count.toLocaleString('en-US')} option${count === 1 ? '' : 's'}`;
  const options = { label: labelOf(mp), multiple, index };
  return metapropertyField(mp, naming, {
    what: multiple
      ? `multi-select, ${counted}; comma-separated option names or labels`
      : `single select, ${counted}; an option name or label`,
    target: targetOf(mp, multiple, count),
    toWrite: (value, policy) => writeOptions(value, policy, options),
    holds: (asset, formValue) =>
      holdsOptions(readAssetValue(asset, propertyKey(mp)), asset.propertyOptions, formValue, index),
    heldList: (asset) =>
      readHeldOptionIds(readAssetValue(asset, propertyKey(mp)), asset.propertyOptions, index),
    describeEntry: (entry) => {
      const match = index.resolve(entry);
      return match.kind === 'found' ? match.option.display : entry;
    },
    optionCreation: {
      metapropertyId: mp.id,
      label: labelOf(mp),
      existingNames: flattenOptionNames(mp.options ?? []),
      refused: creationRefusal(mp),
      unknownIn: (value) => findUnknownOptions(value, options),
    },
  });
}

function flattenOptionNames(options: readonly MetapropertyOption[]): string[] {
  return options.flatMap((option) => [option.name, ...flattenOptionNames(option.options ?? [])]);
}

/**
 * Why records may not add options to this metaproperty: its options form a hierarchy (a record
 * cannot say where a new one belongs), or its type is not one of Bynder's option types (such
 * options are managed in Bynder, not by the values written to assets).
 */
function creationRefusal(mp: Metaproperty): string | undefined {
  if ((mp.options ?? []).some((option) => (option.options?.length ?? 0) > 0)) {
    return `"${labelOf(mp)}" allows no new options from records: its options form a hierarchy, and a record cannot say where a new one belongs; add the option in Bynder`;
  }
  if (!OPTION_METAPROPERTY_TYPES.has(mp.type.toLowerCase())) {
    return `"${labelOf(mp)}" allows no new options from records: the options of a "${mp.type}" metaproperty are managed in Bynder; add the option there`;
  }
  return undefined;
}

function scalarField(mp: Metaproperty, naming: FieldNaming, scalar: (typeof SCALAR_TYPES)[string]): Field {
  const { schema, held } = scalar.kind;
  return metapropertyField(mp, naming, {
    what: scalar.what,
    target: targetOf(mp, false, 0),
    holds: (asset, formValue) => held(readAssetValue(asset, propertyKey(mp)), formValue),
    toWrite(value, policy): FieldWrite {
      // A primary key finds the asset: an empty one cannot, whatever the empty-values policy.
      if (naming.primary && isEmptyValue(value)) {
        return {
          kind: 'invalid',
          problem: 'is empty; every record needs its external key to find the asset',
        };
      }
      return writeScalar(schema, value, policy);
    },
  });
}

/** The field for a metaproperty, or undefined for one we cannot write (the caller logs it as left out). */
export function fieldFromMetaproperty(mp: Metaproperty, naming: FieldNaming): Field | undefined {
  if (isOptionMetaproperty(mp)) return optionField(mp, naming);
  const type = mp.type.toLowerCase();
  const scalar = Object.hasOwn(SCALAR_TYPES, type) ? SCALAR_TYPES[type] : undefined;
  return scalar ? scalarField(mp, naming, scalar) : undefined;
}
