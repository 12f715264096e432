import type { Field, FieldWrite } from './field';

// "Add values" and "remove values" fields of a list: every multi-select metaproperty and the asset's
// tags. The plain field replaces the asset's whole list; these change only the values they name, so a
// source can write its own values and keep those another system set. Their form keys are the list's
// own, prefixed (`+metaproperty.<id>`, `-tags`): never sent as such; change detection turns them into
// one whole list computed from what Bynder holds, or execution into Bynder's per-asset option
// add/remove calls (src/lib/delivery/list-delta.ts).

export type ListChangeKind = 'add' | 'remove';

export interface ListChange {
  kind: ListChangeKind;
  /** The list's own form key (`metaproperty.<id>`, `tags`). */
  formKey: string;
}

const SUFFIX: Record<ListChangeKind, string> = { add: '_add', remove: '_remove' };
const MAX_NAME_LENGTH = 62;

/** The add or remove key of a form, or undefined for any other key. */
export function parseListChangeKey(key: string): ListChange | undefined {
  if (key.startsWith('+')) return { kind: 'add', formKey: key.slice(1) };
  if (key.startsWith('-')) return { kind: 'remove', formKey: key.slice(1) };
  return undefined;
}

/** `region` → `region_add`; a name too long for the suffix is cut so the whole stays an OCP name. */
export function listChangeFieldName(base: string, kind: ListChangeKind): string {
  const suffix = SUFFIX[kind];
  return `${base.slice(0, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
}

/** The list a field holds: a multi-select metaproperty, or the asset's tags. */
export function isListField(field: Field): boolean {
  if (field.heldList === undefined || field.formKey === undefined) return false;
  return field.target.kind === 'metaproperty' ? field.target.multiple : field.formKey === 'tags';
}

function listChangeField(list: Field, kind: ListChangeKind, name: string): Field {
  const formKey = `${kind === 'add' ? '+' : '-'}${list.formKey ?? ''}`;
  const what = list.target.kind === 'metaproperty' ? 'option names or labels' : 'tags';
  return {
    // Only an add can name an option to create; a remove of an option that does not exist removes nothing.
    ...(kind === 'add' && list.optionCreation ? { optionCreation: list.optionCreation } : {}),
    name,
    displayName: `${list.displayName}: ${kind} values`,
    description:
      kind === 'add'
        ? `Adds these ${what} (comma-separated) to what the asset holds in ${list.displayName}, keeping the others`
        : `Removes these ${what} (comma-separated) from what the asset holds in ${list.displayName}, keeping the others`,
    type: 'string',
    primary: false,
    target: list.target,
    formKey,
    toWrite(value, policy): FieldWrite {
      // An empty value adds or removes nothing, whatever the empty-values setting: it never clears.
      const write = list.toWrite(value, { ...policy, emptyValues: 'leave' });
      return write.kind === 'clear' ? { kind: 'leave' } : write;
    },
    holds: () => 'unknown', // compared as the whole list it becomes (change detection)
  };
}

/**
 * The add and remove fields of `list`, named after it, leaving out a name already `taken` (by a
 * standard field or a metaproperty): `left` names those, with why.
 */
export function buildListChangeFields(
  list: Field,
  taken: ReadonlySet<string>,
): { fields: Field[]; left: Array<{ name: string; reason: string }> } {
  const fields: Field[] = [];
  const left: Array<{ name: string; reason: string }> = [];
  for (const kind of ['add', 'remove'] as const) {
    const name = listChangeFieldName(list.name, kind);
    if (taken.has(name)) {
      left.push({
        name,
        reason: `the "${kind} values" field of "${list.name}" is not offered: another field already has the name ${name}`,
      });
      continue;
    }
    fields.push(listChangeField(list, kind, name));
  }
  return { fields, left };
}
