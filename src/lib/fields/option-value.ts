import type { FieldWrite } from './field';
import type { ValuePolicy } from './field-write';
import { kindOf, quoteValue } from './describe-value';
import { emptyWrite, isEmptyValue } from './field-write';
import { type Held, holdsIf, sameSet, splitFormList } from './held-value';
import type { OptionIndex } from './option-index';
import { textProblem } from './text-value';

// Option values (select, select2, autocomplete metaproperties): the decoder and encoder (option
// names or labels in, a comma list of option ids out: `metaproperty.<id>=<optionId>,<optionId>`,
// the form Bynder documents) and whether Bynder's read already holds those options. Unlike the
// scalar kinds (value-kinds.ts), both need the metaproperty's options (its OptionIndex).

/** How many option names a problem text shows before "… N options". */
const OPTIONS_SHOWN = 5;

export interface OptionTarget {
  /** The metaproperty's label (or name), as a person knows it. */
  label: string;
  multiple: boolean;
  index: OptionIndex;
}

/** `(Summer, Winter, Spring, … 12 options)`: the first options, so a person can fix the value. */
function describeKnownOptions(target: OptionTarget): string {
  const { selectable } = target.index;
  if (selectable.length === 0) return `("${target.label}" has no selectable options)`;
  const shown = selectable.slice(0, OPTIONS_SHOWN).map((option) => option.display);
  return selectable.length > OPTIONS_SHOWN
    ? `(${shown.join(', ')}, … ${selectable.length.toLocaleString('en-US')} options)`
    : `(${shown.join(', ')})`;
}

/** The texts a value holds, or a problem. Multi: a comma-separated string or a list; single: one text. */
function textsOf(value: unknown, target: OptionTarget): string[] | { problem: string } {
  const expected = target.multiple ? 'option names or labels' : 'an option name or label';
  const toText = (item: unknown) =>
    typeof item === 'string'
      ? item.trim()
      : typeof item === 'number' && Number.isFinite(item)
        ? String(item)
        : undefined;

  if (Array.isArray(value)) {
    const texts: string[] = [];
    for (const item of value as unknown[]) {
      // null/undefined entries count as empty, like '' (isEmptyValue agrees)
      if (item === null || item === undefined) continue;
      const itemText = toText(item);
      if (itemText === undefined) {
        return { problem: `expected ${expected}, got a list holding ${kindOf(item)}` };
      }
      if (itemText !== '') texts.push(itemText);
    }
    return texts;
  }
  const whole = toText(value);
  if (whole === undefined) return { problem: `expected ${expected}, got ${kindOf(value)}` };
  // A whole string that names an option wins over splitting it: option names may contain commas.
  if (!target.multiple || target.index.resolve(whole).kind !== 'unknown') return [whole];
  return whole
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function quoteList(texts: readonly string[]): string {
  return texts.map(quoteValue).join(', ');
}

export function writeOptions(value: unknown, policy: ValuePolicy, target: OptionTarget): FieldWrite {
  if (isEmptyValue(value)) return emptyWrite(policy);
  const texts = textsOf(value, target);
  if (!Array.isArray(texts)) return { kind: 'invalid', problem: texts.problem };
  for (const text of texts) {
    // Checked before matching: a value that cannot be sent as sent must not become "unknown option",
    // which unknownOptions: 'drop' would leave out with a warning and report applied.
    const problem = textProblem(text);
    if (problem !== undefined) return { kind: 'invalid', problem: `${quoteValue(text)} ${problem}` };
  }
  if (texts.length === 0) return emptyWrite(policy);
  if (!target.multiple && texts.length > 1) {
    return {
      kind: 'invalid',
      problem: `${texts.length} values (${quoteList(texts)}) for single select "${target.label}"; give one option`,
    };
  }

  const ids: string[] = [];
  const unknown: string[] = [];
  const unselectable: string[] = [];
  for (const text of texts) {
    const match = target.index.resolve(text);
    if (match.kind === 'found') {
      if (!ids.includes(match.option.id)) ids.push(match.option.id);
    } else (match.kind === 'unknown' ? unknown : unselectable).push(text);
  }

  const problems: string[] = [];
  if (unknown.length === 1) problems.push(`${quoteList(unknown)} is not an option of "${target.label}"`);
  if (unknown.length > 1) problems.push(`${quoteList(unknown)} are not options of "${target.label}"`);
  if (unselectable.length > 0) {
    problems.push(
      `${quoteList(unselectable)} cannot be selected in "${target.label}" (inactive or not selectable)`,
    );
  }
  if (problems.length === 0) return { kind: 'set', formValue: ids.join(','), warnings: [] };

  const known = describeKnownOptions(target);
  // 'create': options are created before planning (delivery/create-options.ts); one still unknown here
  // could not be, and is refused as under 'reject'.
  if (policy.unknownOptions !== 'drop') {
    return { kind: 'invalid', problem: `${problems.join('; ')} ${known}`, bynder: 'option' };
  }
  const warnings = problems.map((problem) => `${problem}; left out ${known}`);
  // Nothing valid left: leave the asset's value alone rather than clear it because of a typo.
  if (ids.length === 0) return { kind: 'leave', warnings };
  return { kind: 'set', formValue: ids.join(','), warnings };
}

/**
 * Option ids as a set. The read names options by their names under `property_<name>` and lists
 * every option id of the asset, across metaproperties, in `propertyOptions`
 * (https://api.bynder.com/reference/get_api-v4-media-id). So each name is turned into the id of the
 * one option of this metaproperty with exactly that name, and that id must be among
 * `propertyOptions`; a name that matches no option, or several, makes the answer unknown.
 */
export function holdsOptions(
  current: unknown,
  propertyOptions: unknown,
  formValue: string,
  index: OptionIndex,
): Held {
  if (current === null) return holdsIf(formValue === '');
  const names = typeof current === 'string' ? [current] : current;
  if (!Array.isArray(names) || !names.every((name): name is string => typeof name === 'string')) {
    return 'unknown';
  }
  const listed = Array.isArray(propertyOptions) ? new Set(propertyOptions) : undefined;
  if (!listed) return 'unknown';
  const ids: string[] = [];
  for (const name of names) {
    const id = index.idOfName(name);
    if (id === undefined || !listed.has(id)) return 'unknown';
    ids.push(id);
  }
  return holdsIf(sameSet(ids, splitFormList(formValue)));
}

/**
 * The option ids the asset holds in this metaproperty, read as holdsOptions reads them: each name
 * under `property_<name>` must be exactly one option of the metaproperty and listed among
 * `propertyOptions`; otherwise undefined (unknown).
 */
export function readHeldOptionIds(
  current: unknown,
  propertyOptions: unknown,
  index: OptionIndex,
): string[] | undefined {
  if (current === null || current === undefined) return Array.isArray(propertyOptions) ? [] : undefined;
  const names = typeof current === 'string' ? [current] : current;
  if (!Array.isArray(names) || !names.every((name): name is string => typeof name === 'string')) {
    return undefined;
  }
  const listed = Array.isArray(propertyOptions) ? new Set(propertyOptions) : undefined;
  if (!listed) return undefined;
  const ids: string[] = [];
  for (const name of names) {
    const id = index.idOfName(name);
    if (id === undefined || !listed.has(id)) return undefined;
    ids.push(id);
  }
  return ids;
}

/**
 * The texts of `value` that name no option of the metaproperty (neither name nor label), as written:
 * the options 'create' would make. Empty for an invalid value (its problem is reported when planned).
 */
export function findUnknownOptions(value: unknown, target: OptionTarget): string[] {
  if (isEmptyValue(value)) return [];
  const texts = textsOf(value, target);
  if (!Array.isArray(texts)) return [];
  if (!target.multiple && texts.length > 1) return [];
  return texts.filter(
    (text) => textProblem(text) === undefined && target.index.resolve(text).kind === 'unknown',
  );
}
