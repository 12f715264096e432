import { z } from 'zod';

import { kindOf, quoteValue } from './describe-value';
import { type Held, holdsIf } from './held-value';
import { readText } from './text-value';

// Date values (date metaproperties, date_published): the decoder and encoder (ISO 8601 in, Bynder's
// `yyyy-mm-ddThh:mm:ssZ` out) and whether Bynder's read already holds the encoded date.

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
