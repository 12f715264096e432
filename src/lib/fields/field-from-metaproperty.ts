import type { BynderBoolean, Metaproperty } from '../bynder/api-types';
import type { BynderTarget, Field, FieldWrite } from './field';
import { isEmptyValue, writeScalar } from './field-write';
import { buildOptionIndex } from './option-index';
import { writeOptions } from './option-write';
import { DATE_DESCRIPTION, isoDateValue, MAX_TEXT_LENGTH, textValue } from './value-schemas';

// One Bynder metaproperty → one OCP field (or none). The switch is the whole type mapping
// (design.md, "Types"); every OCP type here is `string`, since Bynder has no numeric or boolean
// metaproperties in v4.

const OPTION_TYPES: ReadonlySet<string> = new Set(['select', 'select2', 'autocomplete']);
const WRITABLE_TYPES: ReadonlySet<string> = new Set([...OPTION_TYPES, 'text', 'longtext', 'date']);

const isTrue = (flag: BynderBoolean | undefined) => flag === true || flag === 1;
const isFalse = (flag: BynderBoolean | undefined) => flag === false || flag === 0;

/** The label a person knows the metaproperty by; the name when the label is empty. */
export function labelOf(mp: Pick<Metaproperty, 'label' | 'name'>): string {
  return mp.label?.trim() || mp.name;
}

/** Why this metaproperty gets no field, or undefined when it gets one. Does not look at `isApiField` (undocumented). */
export function leftOutReason(mp: Metaproperty): string | undefined {
  if (isFalse(mp.isEditable)) return 'not editable in Bynder';
  const type = mp.type.toLowerCase();
  if (!WRITABLE_TYPES.has(type)) return `type "${mp.type}" cannot be written safely`;
  return undefined;
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
  if (isTrue(mp.isRequired)) notes.push('required in Bynder');
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
    required: isTrue(mp.isRequired),
    optionCount,
  };
}

/** What every metaproperty field shares; kinds differ only in the description, target and encoder. */
function metapropertyField(
  mp: Metaproperty,
  naming: FieldNaming,
  parts: { what: string; target: BynderTarget; toWrite: Field['toWrite'] },
): Field {
  return {
    name: naming.name,
    displayName: naming.displayName,
    description: describe(mp, parts.what, naming),
    type: 'string',
    primary: naming.primary ?? false,
    target: parts.target,
    formKey: `metaproperty.${mp.id}`,
    toWrite: parts.toWrite,
  };
}

function optionField(mp: Metaproperty, naming: FieldNaming): Field {
  const multiple = isTrue(mp.isMultiselect);
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
  });
}

function scalarField(mp: Metaproperty, naming: FieldNaming, what: string, schema = textValue()): Field {
  return metapropertyField(mp, naming, {
    what,
    target: targetOf(mp, false, 0),
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

/** The field for a metaproperty, or undefined for a type we cannot write (the caller logs it as left out). */
export function fieldFromMetaproperty(mp: Metaproperty, naming: FieldNaming): Field | undefined {
  switch (mp.type.toLowerCase()) {
    case 'select':
    case 'select2':
    case 'autocomplete':
      return optionField(mp, naming);
    case 'text':
      return scalarField(
        mp,
        naming,
        `text, up to ${MAX_TEXT_LENGTH.toLocaleString('en-US')} characters`,
        textValue(MAX_TEXT_LENGTH),
      );
    case 'longtext':
      return scalarField(mp, naming, 'long text');
    case 'date':
      return scalarField(mp, naming, DATE_DESCRIPTION, isoDateValue);
    default:
      return undefined;
  }
}
