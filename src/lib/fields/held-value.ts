import type { Media } from '../bynder/api-types';
import { compareText } from './compare-text';
import type { OptionIndex } from './option-index';
import { toBynderDate } from './value-schemas';

// Whether an asset, as Bynder's read answers it (https://api.bynder.com/reference/get_api-v4-media),
// already holds the value a write would send, compared as encoded: the form value on one side, the
// read's value normalised the way the encoder normalises on the other. Three answers: it holds it
// (the field need not be written), it differs, or the read cannot tell (a shape this app does not
// know, an absent key, an option name that names no single option). Only "holds" lets a write be
// dropped, so every doubt ends in a write, never in a skipped one.

export type Held = 'holds' | 'differs' | 'unknown';

const holdsIf = (same: boolean): Held => (same ? 'holds' : 'differs');

/** One key of a read answer, whatever Bynder sent under it (undefined when absent). */
export function readAssetValue(asset: Media, key: string): unknown {
  return Object.hasOwn(asset, key) ? (asset as unknown as Record<string, unknown>)[key] : undefined;
}

/**
 * A text value as the read carries it: a string, or (as some portals answer text metaproperties)
 * a list of exactly one string; null is an empty value. Anything else, or an absent key, is unknown.
 */
function readText(current: unknown): string | undefined {
  if (current === null) return '';
  if (typeof current === 'string') return current;
  if (Array.isArray(current) && current.length === 1 && typeof current[0] === 'string') return current[0];
  if (Array.isArray(current) && current.length === 0) return '';
  return undefined;
}

/** Text, exactly: the encoder trims what it sends, so Bynder holding `"x "` differs from `"x"`. */
export function holdsText(current: unknown, formValue: string): Held {
  const text = readText(current);
  return text === undefined ? 'unknown' : holdsIf(text === formValue);
}

/**
 * A date, normalised as the encoder writes it (`yyyy-mm-ddThh:mm:ssZ` in UTC), so Bynder answering
 * `2026-03-01T10:00:00.000Z` or `2026-03-01T11:00:00+01:00` holds `2026-03-01T10:00:00Z`. A date it
 * answers in a form Date cannot read, or without a zone, is unknown.
 */
export function holdsDate(current: unknown, formValue: string): Held {
  const text = readText(current);
  if (text === undefined) return 'unknown';
  if (text.trim() === '') return holdsIf(formValue === '');
  // Without Z or an offset Date.parse would take the worker's local zone: not certain.
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) return 'unknown';
  if (Number.isNaN(Date.parse(text))) return 'unknown';
  return holdsIf(toBynderDate(text) === formValue);
}

/** Bynder answers its flags as true/false or 1/0 (and sometimes as those in quotes). */
export function holdsBoolean(current: unknown, formValue: string): Held {
  const flag =
    current === true || current === 1 || current === '1' || current === 'true'
      ? true
      : current === false || current === 0 || current === '0' || current === 'false'
        ? false
        : undefined;
  return flag === undefined ? 'unknown' : holdsIf(String(flag) === formValue);
}

/**
 * Tags as Bynder stores them: a list, compared as a set of exact texts with what the encoder sends
 * (a comma list, trimmed, repeats dropped), since the write replaces the whole list. A tag Bynder
 * stored differently (another case) differs, so it is written again.
 */
export function holdsTags(current: unknown, formValue: string): Held {
  if (current === null) return holdsIf(formValue === '');
  if (!Array.isArray(current) || !current.every((tag): tag is string => typeof tag === 'string')) {
    return 'unknown';
  }
  return holdsIf(sameSet(current, splitFormList(formValue)));
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

function splitFormList(formValue: string): string[] {
  return formValue === '' ? [] : formValue.split(',');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort(compareText);
  const right = [...new Set(b)].sort(compareText);
  return left.length === right.length && left.every((item, i) => item === right[i]);
}
