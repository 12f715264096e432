import type { z } from 'zod';

import { booleanValue, holdsBoolean } from './boolean-value';
import { holdsDate, isoDateValue } from './date-value';
import type { Held } from './held-value';
import { holdsTags, tagsValue } from './tags-value';
import { holdsText, MAX_TEXT_LENGTH, textValue } from './text-value';

// The kinds of value the field model writes, one file each: text-value.ts, date-value.ts,
// boolean-value.ts, tags-value.ts and option-value.ts. Each file holds the kind's decoder and
// encoder (a zod schema: item value in, Bynder form value out) and its comparison with what Bynder's
// read already holds. The scalar kinds are looked up here by the fields that use them; option
// fields also need their metaproperty's options, so they call option-value.ts themselves.

export interface ScalarKind {
  /** Validates an item value (lossless coercion only) and encodes it as the form value. */
  schema: z.ZodType<string>;
  /** Whether Bynder's read value already holds the encoded form value. */
  held: (current: unknown, formValue: string) => Held;
}

export const SCALAR_KINDS = {
  /** Text up to Bynder's limit for `text` metaproperties. */
  text: { schema: textValue(MAX_TEXT_LENGTH), held: holdsText },
  /** Text up to this destination's own cap (longtext metaproperties, name, description, copyright). */
  longText: { schema: textValue(), held: holdsText },
  date: { schema: isoDateValue, held: holdsDate },
  boolean: { schema: booleanValue, held: holdsBoolean },
  tags: { schema: tagsValue, held: holdsTags },
} as const satisfies Record<string, ScalarKind>;
