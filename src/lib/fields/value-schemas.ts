import { z } from 'zod';

import { kindOf, quoteValue } from './describe-value';

// zod schemas for item values, one per kind of Bynder value. They coerce only where nothing is
// lost: strings are trimmed, finite numbers become text ("42"), "true"/"1"/1 become true.
// Their messages are written to follow the field name: `field "x": <message>`.

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
function checkText(text: string, ctx: z.RefinementCtx): void {
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

const DATE_ONLY = z.iso.date();
const WITH_OFFSET = z.iso.datetime({ offset: true });
const WITHOUT_OFFSET = z.iso.datetime({ local: true });

/** The date forms the app accepts, as field descriptions and rejections name them. */
export const ACCEPTED_DATE_FORMS =
  'a date (2026-03-01, taken as midnight UTC) or a date-time with Z or an offset (2026-03-01T10:00:00Z, 2026-03-01T10:00:00+01:00)';

/** How a date field's description in the Sync Manager says what it takes. */
export const DATE_DESCRIPTION = `date, sent to Bynder in UTC: ${ACCEPTED_DATE_FORMS}; a date-time without an offset is rejected`;

/** `yyyy-mm-ddThh:mm:ssZ`, the form Bynder's modify documents; fractions of a second are dropped. */
export function toBynderDate(text: string): string {
  return new Date(Date.parse(text)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A date, or a date-time with Z or an offset, written in UTC as `yyyy-mm-ddThh:mm:ssZ`: Bynder's
 * modify asks for that form (https://api.bynder.com/reference/post_api-v4-media-id) and answers 202
 * even when it cannot parse a date, which it then drops without a word. A plain date becomes midnight
 * UTC of that day. A date-time without an offset is rejected: the moment it means depends on a time
 * zone this destination does not know.
 */
export const isoDateValue: z.ZodType<string> = z
  .string({ error: (issue) => `expected an ISO 8601 date, got ${kindOf(issue.input)}` })
  .trim()
  .transform((text, ctx) => {
    if (DATE_ONLY.safeParse(text).success) return `${text}T00:00:00Z`;
    if (WITH_OFFSET.safeParse(text).success) return toBynderDate(text);
    ctx.addIssue({
      code: 'custom',
      message: WITHOUT_OFFSET.safeParse(text).success
        ? `${quoteValue(text)} has no time zone, so the moment it means is unknown; add Z or an offset (2026-03-01T10:00:00Z, 2026-03-01T10:00:00+01:00), or send the date alone (2026-03-01, taken as midnight UTC)`
        : `${quoteValue(text)} is not an ISO 8601 date; use ${ACCEPTED_DATE_FORMS}`,
    });
    return z.NEVER;
  });

const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
]);

/** true/false, 1/0, and the strings "true"/"false"/"1"/"0" (any case, trimmed). "yes" and "on" are rejected: ambiguous. */
export const booleanValue: z.ZodType<string> = z
  .union([z.boolean(), z.number(), z.string()], {
    error: (issue) => `expected true or false, got ${kindOf(issue.input)}`,
  })
  .transform((value, ctx) => {
    const flag = BOOLEAN_WORDS.get(String(value).trim().toLowerCase());
    if (flag === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${quoteValue(value)} is not true or false (1 and 0 also work)`,
      });
      return z.NEVER;
    }
    return flag ? 'true' : 'false';
  });

const tagItem = z
  .union([z.string(), z.number()], { error: (issue) => `expected tags as text, got ${kindOf(issue.input)}` })
  .transform((value) => String(value).trim());

/** A comma-separated string or a list of tags → `a,b` (trimmed, empty entries and repeats dropped). */
export const tagsValue: z.ZodType<string> = z
  .union([z.string().transform((text) => text.split(',')), z.array(tagItem)], {
    error: (issue) => `expected tags as comma-separated text or a list, got ${kindOf(issue.input)}`,
  })
  .transform((tags) => [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))])
  .refine(
    (tags) => tags.every((tag) => !tag.includes(',')),
    'a tag in the list contains a comma; Bynder separates tags with commas',
  )
  .superRefine((tags, ctx) => {
    for (const tag of tags) checkText(tag, ctx);
  })
  .transform((tags) => tags.join(','));
