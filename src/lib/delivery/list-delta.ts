import type { MediaForm } from '../bynder/bynder-api';
import { splitFormList } from '../fields/held-value';
import { type ListChange, parseListChangeKey } from '../fields/list-change-fields';

// Add and remove values of a list (a multi-select's options, the asset's tags) travel in a planned
// write's form under their own keys (`+metaproperty.<id>`, `-tags`: list-change-fields.ts) until
// change detection or execution decides how they reach Bynder. Here: how they merge, event after
// event, into the state applying the events one by one would leave, and how they become one whole
// list once Bynder's current list is known.

/** Whether a form holds add or remove values. */
export function hasListChanges(form: MediaForm): boolean {
  return Object.keys(form).some((key) => parseListChangeKey(key) !== undefined);
}

function uniqueJoin(values: Iterable<string>): string {
  return [...new Set(values)].join(',');
}

/**
 * Merges one event's form into the key's merged form, in batch order, as applying them one by one
 * would end: a whole list replaces the list and cancels earlier add/remove values of it; an add or
 * remove after a whole list changes that list; an add cancels an earlier remove of the same value and
 * the reverse. Other fields: later values win.
 */
export function mergeUpsertForm(form: MediaForm, next: MediaForm): void {
  for (const [key, value] of Object.entries(next)) {
    const change = parseListChangeKey(key);
    if (!change) {
      form[key] = value;
      delete form[`+${key}`];
      delete form[`-${key}`];
      continue;
    }
    const values = splitFormList(value);
    const whole = form[change.formKey];
    if (whole !== undefined) {
      const list = splitFormList(whole);
      form[change.formKey] =
        change.kind === 'add'
          ? uniqueJoin([...list, ...values])
          : uniqueJoin(list.filter((v) => !values.includes(v)));
      continue;
    }
    const same = change.kind === 'add' ? '+' : '-';
    const other = change.kind === 'add' ? '-' : '+';
    const mine = splitFormList(form[`${same}${change.formKey}`] ?? '');
    form[`${same}${change.formKey}`] = uniqueJoin([...mine, ...values]);
    const theirs = splitFormList(form[`${other}${change.formKey}`] ?? '').filter((v) => !values.includes(v));
    if (theirs.length > 0) form[`${other}${change.formKey}`] = theirs.join(',');
    else delete form[`${other}${change.formKey}`];
  }
}

/** The values an add and a remove of one list in one record share (a record must not ask both). */
export function findAddedAndRemoved(form: MediaForm): Array<{ formKey: string; values: string[] }> {
  const clashes: Array<{ formKey: string; values: string[] }> = [];
  for (const key of Object.keys(form)) {
    const change = parseListChangeKey(key);
    if (change?.kind !== 'add') continue;
    const removed = splitFormList(form[`-${change.formKey}`] ?? '');
    const both = splitFormList(form[key] ?? '').filter((value) => removed.includes(value));
    if (both.length > 0) clashes.push({ formKey: change.formKey, values: both });
  }
  return clashes;
}

/**
 * The form with every add/remove folded into a whole list, computed from the list Bynder holds
 * (`current`, undefined when the read cannot tell); add/remove values of a list whose current value
 * is unknown stay as they are. Whole lists already in the form are kept (merging folded into them).
 */
export function foldListChanges(
  form: MediaForm,
  current: (formKey: string) => readonly string[] | undefined,
): MediaForm {
  const folded: MediaForm = {};
  const changes = new Map<string, { add: string[]; remove: string[] }>();
  for (const [key, value] of Object.entries(form)) {
    const change: ListChange | undefined = parseListChangeKey(key);
    if (!change) {
      folded[key] = value;
      continue;
    }
    const entry = changes.get(change.formKey) ?? { add: [], remove: [] };
    entry[change.kind].push(...splitFormList(value));
    changes.set(change.formKey, entry);
  }
  for (const [formKey, { add, remove }] of changes) {
    const held = current(formKey);
    if (held === undefined) {
      if (add.length > 0) folded[`+${formKey}`] = add.join(',');
      if (remove.length > 0) folded[`-${formKey}`] = remove.join(',');
      continue;
    }
    folded[formKey] = uniqueJoin([...held, ...add].filter((value) => !remove.includes(value)));
  }
  return folded;
}
