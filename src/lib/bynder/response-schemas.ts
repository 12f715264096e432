import { z } from 'zod';

import type {
  Media,
  Metaproperty,
  MetapropertyListing,
  MetapropertyOption,
  SkippedMetaproperty,
} from './api-types';
import { DEFAULT_TOKEN_LIFETIME_S } from './constants';

// Light checks of the bodies whose wrong shape would mislead us (a list we would misread as empty,
// an option without an id). Required: ids, names, types. Everything else is tolerated as Bynder
// sends it: 1/0 or "true" booleans are normalised, nulls dropped, unknown keys kept.

const bynderBoolean = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['0', '1', 'true', 'false'])])
  .nullish()
  .transform((value) =>
    value === null || value === undefined
      ? undefined
      : value === true || value === 1 || value === '1' || value === 'true',
  );
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);
const optionalNumber = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .nullish()
  .transform((value) => value ?? undefined);

/** Text that must be there and not be empty: an id, a name, a type. */
const requiredText = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'is not text') })
  .min(1, 'is empty');

const metapropertyOptionSchema: z.ZodType<MetapropertyOption> = z.lazy(() =>
  z.looseObject({
    id: requiredText,
    name: requiredText,
    label: optionalText,
    displayLabel: optionalText,
    zindex: optionalNumber,
    isSelectable: bynderBoolean,
    active: bynderBoolean,
    externalReference: optionalText,
    options: z
      .array(metapropertyOptionSchema)
      .nullish()
      .transform((value) => value ?? undefined),
  }),
);

export const metapropertySchema: z.ZodType<Metaproperty> = z.looseObject({
  id: requiredText,
  name: requiredText,
  type: requiredText,
  label: optionalText,
  isMultiselect: bynderBoolean,
  isRequired: bynderBoolean,
  isEditable: bynderBoolean,
  isApiField: bynderBoolean,
  zindex: optionalNumber,
  // An empty object instead of an array has been seen from PHP backends for "no options".
  options: z
    .union([
      z.array(metapropertyOptionSchema),
      z
        .object({})
        .strict()
        .transform(() => []),
    ])
    .nullish()
    .transform((value) => value ?? undefined),
});

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * The first problems zod found in one entry, in words: `"type" is missing`, or for an option
 * `option 3 ("emea"): "name" is empty` (the option's id or name, when it has one).
 */
function describeEntryProblems(entry: unknown, issues: readonly z.core.$ZodIssue[]): string {
  // `options` is an array or PHP's `{}`: a bad array reports through the union; show the array's issues.
  const expanded = issues.flatMap((issue) =>
    issue.code === 'invalid_union' && issue.errors[0] !== undefined && issue.errors[0].length > 0
      ? issue.errors[0].map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))
      : [issue],
  );
  return expanded
    .slice(0, 3)
    .map((issue) => {
      const path = [...issue.path];
      const where: string[] = [];
      let at: unknown = entry;
      // Walk `options.<i>` steps, naming each option by its position and id or name.
      while (path[0] === 'options' && typeof path[1] === 'number') {
        const index = path[1];
        at = (at as { options?: unknown[] } | undefined)?.options?.[index];
        const record = (typeof at === 'object' && at !== null ? at : {}) as Record<string, unknown>;
        const known = textOf(record.name) ?? textOf(record.id);
        where.push(`option ${index + 1}${known ? ` (${JSON.stringify(known)})` : ''}`);
        path.splice(0, 2);
      }
      const field = path.length > 0 ? `"${path.join('.')}"` : 'the entry';
      const what = path.length > 0 ? `${field} ${issue.message}` : `${field} is not an object`;
      return where.length > 0 ? `${where.join(' > ')}: ${what}` : what;
    })
    .join('; ');
}

/** Reads one listed entry, or says why it cannot be read. */
function readListedMetaproperty(
  key: string,
  entry: unknown,
): { metaproperty: Metaproperty } | { skipped: SkippedMetaproperty } {
  const parsed = metapropertySchema.safeParse(entry);
  if (parsed.success) return { metaproperty: parsed.data };
  const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const id = textOf(record.id);
  const name = textOf(record.name);
  return {
    skipped: {
      key,
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
      problem: describeEntryProblems(entry, parsed.error.issues),
    },
  };
}

/**
 * `GET /api/v4/metaproperties/`: an object keyed by (a variant of) each name; its values are read.
 * One entry that cannot be read (no id, an empty name, no type, an option without a name) is left
 * out and reported, never the reason the whole listing fails. A portal without metaproperties may
 * answer `[]` (PHP's empty array), read as an empty listing; an array of entries is read the same
 * way. Anything else (an HTML page, a string) is not a listing.
 */
export const metapropertyListingSchema = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .transform((body): MetapropertyListing => {
    const listing: MetapropertyListing = { metaproperties: [], skipped: [] };
    for (const [key, entry] of Object.entries(body)) {
      const read = readListedMetaproperty(key, entry);
      if ('metaproperty' in read) listing.metaproperties.push(read.metaproperty);
      else listing.skipped.push(read.skipped);
    }
    return listing;
  });

/** One page of `GET /api/v4/metaproperties/{id}/options/`: the options read, and what the others lack. */
export interface OptionPage {
  options: MetapropertyOption[];
  /** One line per option that cannot be read, e.g. `option 3 ("A1"): "name" is missing`. */
  problems: string[];
}

/**
 * `GET /api/v4/metaproperties/{id}/options/`: one page of options, a flat list as Bynder documents
 * it (nested `options` are read too). An option that cannot be read is named in `problems`, so the
 * caller can leave out the one metaproperty it belongs to; a body that is not a list fails.
 */
export const optionPageSchema = z.array(z.unknown()).transform((entries): OptionPage => {
  const page: OptionPage = { options: [], problems: [] };
  entries.forEach((entry, index) => {
    const parsed = metapropertyOptionSchema.safeParse(entry);
    if (parsed.success) page.options.push(parsed.data);
    else {
      const wrapped = { options: entries };
      const issues = parsed.error.issues.map((issue) => ({
        ...issue,
        path: ['options', index, ...issue.path],
      }));
      page.problems.push(describeEntryProblems(wrapped, issues));
    }
  });
  return page;
});

// Only the id is checked; the other fields are handed on as Bynder sent them, which is what the
// Media type (all optional, `property_*` string or array) already allows for.
const mediaObjectSchema = z.looseObject({ id: z.string().min(1) });
export const mediaSchema = mediaObjectSchema.transform((media) => media as Media);

/** One page of `GET /api/v4/media/`: the assets read, and how many entries had no id to read them by. */
export interface MediaPage {
  media: Media[];
  /** Entries without an id: they cannot be told apart, so the caller can only count them. */
  withoutId: number;
}

/**
 * `GET /api/v4/media/`: an array, or `{ media: [...] }` when total/count were asked for. An entry
 * without an id cannot belong to any record; it is counted, not the reason the page fails.
 */
export const mediaListSchema = z
  .union([z.array(z.unknown()), z.looseObject({ media: z.array(z.unknown()) })])
  .transform((body): MediaPage => {
    const entries = Array.isArray(body) ? body : body.media;
    const page: MediaPage = { media: [], withoutId: 0 };
    for (const entry of entries) {
      const parsed = mediaSchema.safeParse(entry);
      if (parsed.success) page.media.push(parsed.data);
      else page.withoutId += 1;
    }
    return page;
  });

/** `POST /v6/authentication/oauth2/token`. */
export const tokenResponseSchema = z
  .looseObject({
    access_token: z.string().min(1),
    expires_in: z.union([z.number().positive(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  })
  .transform((body) => ({
    accessToken: body.access_token,
    expiresInSeconds: body.expires_in ?? DEFAULT_TOKEN_LIFETIME_S,
  }));

/**
 * The answer of `POST /api/v4/metaproperties/{id}/options/`: 201 with the new option's `id`, or 400
 * naming the option that already has the name (`existingUUID`).
 */
export const createdOptionSchema = z.looseObject({
  id: z.string().min(1).optional(),
  existingUUID: z.string().min(1).optional(),
});
