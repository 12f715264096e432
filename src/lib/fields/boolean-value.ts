import { z } from 'zod';

import { kindOf, quoteValue } from './describe-value';
import { type Held, holdsIf } from './held-value';

// Boolean values (the asset's flags: archive, is_public, limited): the decoder and encoder
// (true/false, 1/0 in; "true"/"false" out) and whether Bynder's read already holds the flag.

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
