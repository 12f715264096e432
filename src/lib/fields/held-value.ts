import type { Media } from '../bynder/api-types';
import { compareText } from './compare-text';

// Whether an asset, as Bynder's read answers it (https://api.bynder.com/reference/get_api-v4-media),
// already holds the value a write would send, compared as encoded: the form value on one side, the
// read's value normalised the way the encoder normalises on the other. Three answers: it holds it
// (the field need not be written), it differs, or the read cannot tell (a shape this app does not
// know, an absent key, an option name that names no single option). Only "holds" lets a write be
// dropped, so every doubt ends in a write, never in a skipped one. Each value kind compares in its
// own file (text-value.ts, date-value.ts, boolean-value.ts, tags-value.ts, option-value.ts); what
// they share is here.

export type Held = 'holds' | 'differs' | 'unknown';

export const holdsIf = (same: boolean): Held => (same ? 'holds' : 'differs');

/** One key of a read answer, whatever Bynder sent under it (undefined when absent). */
export function readAssetValue(asset: Media, key: string): unknown {
  return Object.hasOwn(asset, key) ? (asset as unknown as Record<string, unknown>)[key] : undefined;
}

/** A form value's comma list (tags, option ids) as its entries. */
export function splitFormList(formValue: string): string[] {
  return formValue === '' ? [] : formValue.split(',');
}

/** Whether two lists hold the same texts, ignoring order and repeats. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort(compareText);
  const right = [...new Set(b)].sort(compareText);
  return left.length === right.length && left.every((item, i) => item === right[i]);
}
