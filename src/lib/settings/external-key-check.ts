import { joinWords } from '../config';
import type { FieldModel } from '../fields/field';
import { findByKeyText, findNearName } from '../fields/key-text';

// External-key mode matches records to assets by a text metaproperty (its immutable Bynder name),
// compared by the one rule in src/lib/fields/key-text.ts, as the field model compares it.
// Checked on save so that a typo surfaces in the form, not as every record rejected later.

export interface MetapropertyFacts {
  name: string;
  label: string | undefined;
  type: string;
}

/** Metaproperty types whose value is one searchable string. */
const EXTERNAL_KEY_TYPES: ReadonlySet<string> = new Set(['text']);
const LISTED = 10;

/**
 * The problem with `name` as the external key, or undefined when it names a text metaproperty.
 * `leftOut` lists metaproperties the app cannot use at all, with the reason.
 */
export function findExternalKeyProblem(
  name: string,
  metaproperties: readonly MetapropertyFacts[],
  leftOut: ReadonlyArray<{ name: string; reason: string }> = [],
): string | undefined {
  const label = 'External key metaproperty';
  const unusable = findByKeyText(leftOut, name);
  if (unusable) {
    return `${label} "${name}" cannot be used: ${unusable.reason}; choose another text metaproperty`;
  }
  const texts = metaproperties.filter((mp) => EXTERNAL_KEY_TYPES.has(mp.type)).map((mp) => mp.name);
  const more = texts.length > LISTED ? `, and ${texts.length - LISTED} more` : '';
  const choices =
    texts.length === 0
      ? 'this portal has no text metaproperty; create one in Bynder first'
      : `text metaproperties: ${joinWords(texts.slice(0, LISTED), 'and')}${more}`;
  const exact = findByKeyText(metaproperties, name);
  if (exact) {
    return EXTERNAL_KEY_TYPES.has(exact.type)
      ? undefined
      : `${label} "${name}" is of type ${exact.type}; choose a text metaproperty (${choices})`;
  }
  const similar = findNearName(metaproperties, name);
  if (similar) {
    return `${label} "${name}" is not a metaproperty name; did you mean "${similar.name}" (labelled "${similar.label ?? similar.name}")? Enter the name exactly, letter case included, not the label`;
  }
  return `${label} "${name}" does not exist in Bynder; enter the name of a text metaproperty (${choices})`;
}

/** The metaproperties a field model writes to, as facts for findExternalKeyProblem. */
export function metapropertyFactsOf(model: FieldModel): MetapropertyFacts[] {
  return model.fields.flatMap((field) =>
    field.target.kind === 'metaproperty'
      ? [{ name: field.target.name, label: field.target.label, type: field.target.type }]
      : [],
  );
}
