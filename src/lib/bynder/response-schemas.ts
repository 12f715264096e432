import { z } from 'zod';

import type { Media, Metaproperty, MetapropertyOption } from './api-types';
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

const metapropertyOptionSchema: z.ZodType<MetapropertyOption> = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1),
    name: z.string(),
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
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.string(),
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

/** `GET /api/v4/metaproperties/`: an object keyed by (a variant of) each name; read its values. */
export const metapropertyListSchema = z.record(z.string(), metapropertySchema);

/** `GET /api/v4/metaproperties/{id}/options/`: one page of options. */
export const optionPageSchema = z.array(metapropertyOptionSchema);

// Only the id is checked; the other fields are handed on as Bynder sent them, which is what the
// Media type (all optional, `property_*` string or array) already allows for.
const mediaObjectSchema = z.looseObject({ id: z.string().min(1) });
export const mediaSchema = mediaObjectSchema.transform((media) => media as Media);

/** `GET /api/v4/media/`: an array, or `{ media: [...] }` when total/count were asked for. */
export const mediaListSchema = z
  .union([z.array(mediaObjectSchema), z.looseObject({ media: z.array(mediaObjectSchema) })])
  .transform((body) => (Array.isArray(body) ? body : body.media) as Media[]);

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
