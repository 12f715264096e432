import { z } from 'zod';

import { kindOf } from './describe-value';
import { type Held, holdsIf } from './held-value';

// Text values (text and longtext metaproperties; name, description, copyright): the decoder and
// encoder (a zod schema: item value in, form value out, coercing only where nothing is lost:
// strings are trimmed, finite numbers become text "42"), and whether Bynder's read already holds
// the encoded value. Messages are written to follow the field name: `field "x": <message>`. Every
// value kind has a file like this one; value-kinds.ts looks them up.

/** Bynder's UI limit for `text` metaproperties (https://support.bynder.com/hc/en-us/articles/6190351879186). */
export const MAX_TEXT_LENGTH = 2500;

/**
 * Our own cap for long text (longtext metaproperties, name, description, copyright): Bynder
 * publishes no limit, and a runaway value (a whole file in one cell) must not become a megabyte POST.
 */
export const MAX_LONG_TEXT_LENGTH = 100_000;

const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const characters = (text: string) => [...text].length;

/**
 * What makes a text unsendable whatever the field, worded to follow `field "x": `; undefined when
 * it is fine. A lone surrogate (half of a UTF-16 pair, e.g. from a string cut in the middle of an
 * emoji) has no UTF-8 form: the form encoder would send U+FFFD in its place, so the value Bynder
 * stores would differ from the source while the record counts as applied.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes(NUL)) return 'contains a NUL character (\\u0000); remove it from the source value';
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains a lone surrogate (\\u${code}, half of a UTF-16 pair) at position ${lone.index + 1}, which cannot be sent as UTF-8; fix the source value's encoding`;
  }
  return undefined;
}

/** A zod check reporting textProblem. */
export function checkText(text: string, ctx: z.RefinementCtx): void {
  const problem = textProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
}

/** Trimmed text; a finite number is written as its decimal text. NUL and lone surrogates are rejected; `maxLength` counts characters. */
export function textValue(maxLength = MAX_LONG_TEXT_LENGTH): z.ZodType<string> {
  return z
    .union([z.string(), z.number()], { error: (issue) => `expected text, got ${kindOf(issue.input)}` })
    .transform((value) => (typeof value === 'number' ? String(value) : value.trim()))
    .superRefine(checkText)
    .refine((text) => characters(text) <= maxLength, {
      error: (issue) =>
        `is ${characters(String(issue.input)).toLocaleString('en-US')} characters long; ${maxLength === MAX_TEXT_LENGTH ? 'Bynder allows' : 'this destination sends'} at most ${maxLength.toLocaleString('en-US')}`,
    });
}

/**
 * A text value as the read carries it: a string, or (as some portals answer text metaproperties)
 * a list of exactly one string; null is an empty value. Anything else, or an absent key, is unknown.
 */
export function readText(current: unknown): string | undefined {
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
