import { z } from 'zod';

import type { Brand, FinalisedUpload, PollAnswer, UploadInit } from './upload-types';

// Light checks of the upload flow's answers (https://api.bynder.com/reference, "Upload assets"):
// what a later step sends back must be there and be text; everything else is tolerated as sent.

const requiredText = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'is not text') })
  .min(1, 'is empty');

/** `GET /api/upload/endpoint/`: the bucket URL as a JSON string. */
export const uploadEndpointSchema = requiredText;

/** `POST /api/upload/init/`. */
export const uploadInitSchema = z
  .looseObject({
    s3file: z.looseObject({ uploadid: requiredText, targetid: requiredText }),
    s3_filename: requiredText,
    multipart_params: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
  })
  .transform((body): UploadInit => ({
    uploadId: body.s3file.uploadid,
    targetId: body.s3file.targetid,
    s3Filename: body.s3_filename,
    multipartParams: body.multipart_params,
  }));

/** The finalise: 202 with the import id (the other fields are not needed). */
export const finaliseSchema = z
  .looseObject({ importId: requiredText })
  .transform((body): FinalisedUpload => ({ importId: body.importId }));

const idList = z
  .array(z.union([z.string(), z.number()]).transform(String))
  .nullish()
  .transform((value) => value ?? []);

/** `GET /api/v4/upload/poll/`: an import still converting is in none of the three lists. */
export const pollSchema = z
  .looseObject({ itemsDone: idList, itemsFailed: idList, itemsRejected: idList })
  .transform((body): PollAnswer => ({
    done: body.itemsDone,
    failed: body.itemsFailed,
    rejected: body.itemsRejected,
  }));

/** Both saves: 201 with the asset's id. */
export const savedSchema = z.looseObject({ mediaid: requiredText }).transform((body) => body.mediaid);

const brandSchema: z.ZodType<Brand> = z.lazy(() =>
  z
    .looseObject({
      id: requiredText,
      name: z
        .string()
        .nullish()
        .transform((value) => value ?? ''),
      subBrands: z
        .array(brandSchema)
        .nullish()
        .transform((value) => value ?? []),
    })
    .transform((brand): Brand => ({ id: brand.id, name: brand.name, subBrands: brand.subBrands })),
);

/** `GET /api/v4/brands/`. */
export const brandListSchema = z.array(brandSchema);

/** The 500 of a chunk registration or finalise: `retry` 0 says asking again cannot help. */
export const uploadFailureSchema = z.looseObject({
  message: z.string().optional(),
  retry: z.union([z.number(), z.boolean(), z.string()]).optional(),
  detail: z.string().optional(),
});
