import { z } from 'zod';

import { kindOf } from './describe-value';
import { type Held, holdsIf, sameSet, splitFormList } from './held-value';
import { checkText } from './text-value';

// Tag values (the asset's tags): the decoder and encoder (a comma list or a list in; a comma list
// out, trimmed, repeats dropped) and whether Bynder's read already holds the same set of tags.

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
