import type { Request, Response } from 'express';

import { sendEnvelope } from '../envelope';
import { parseMediaForm } from '../media-form';
import { queryList } from '../query';
import { contextOf } from '../request-context';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';
import { bynderId, type Import, isValidFilename, MAX_PARTS } from '../uploads';

/**
 * Bynder's S3-chunk upload flow (https://api.bynder.com/reference, "Upload assets", and the
 * official SDKs' uploadFile): endpoint → init → per chunk, POST to S3 then register → finalise →
 * poll → save as a new asset or as a new version. Every route needs `asset:write` and the
 * MEDIAUPLOAD or MEDIAUPLOADFORAPPROVAL role; the save routes' error bodies carry `statuscode` as a
 * string, as the upload OpenAPI gives them.
 */
const UPLOAD = { scope: 'asset:write', anyRole: ['MEDIAUPLOAD', 'MEDIAUPLOADFORAPPROVAL'] };
const MEDIA_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{16}$/;
/** Form keys of a save that are not modify fields: read here, never passed to the modify parser. */
const SAVE_ONLY_KEYS = new Set([
  'importId',
  'brandId',
  'audit',
  'crc32',
  'ISOPublicationDate',
  'publicationDate',
  'categories',
  'accessRequestId',
  'requestorId',
  'accessType',
]);
/** ISO 8601 date or date-time, as the save's date fields require. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_FIELDS = ['ISOPublicationDate', 'archiveDate', 'watermarkDate'] as const;

/** Where a saved file would be served; `.invalid` so that nothing ever fetches it. */
const CDN_ORIGIN = 'https://cdn.emulator.invalid';

export interface UploadRouteDeps extends RouteDeps {
  /** The S3 stand-in's URL, as `GET /api/upload/endpoint/` gives it (with a trailing slash). */
  s3Url: () => string;
}

function formOf(req: Request): Record<string, unknown> {
  return (req.is('application/x-www-form-urlencoded') ? (req.body ?? {}) : {}) as Record<string, unknown>;
}

function formText(form: Record<string, unknown>, key: string): string | undefined {
  const value = form[key];
  const last: unknown = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last : undefined;
}

/** The upload OpenAPI's failure body of chunk registration and finalise: 500 with a retry hint. */
function uploadFailed(res: Response, retry: boolean, detail: string): void {
  res
    .status(500)
    .json({ message: 'Could not complete upload', retry: retry ? 1 : 0, success: false, detail });
}

export function uploadRoutes(deps: UploadRouteDeps): RouteDef[] {
  const { state, settings, uploads } = deps;

  const init = (req: Request, res: Response): void => {
    const filename = formText(formOf(req), 'filename') ?? '';
    if (!isValidFilename(filename)) {
      // The OpenAPI gives this 400 as text/plain carrying a JSON object.
      res
        .status(400)
        .type('text/plain')
        .send(JSON.stringify({ filename: `'${filename}' is not a valid filename` }));
      return;
    }
    const upload = uploads.init(filename, settings.maxChunkBytes);
    const expires = new Date(upload.expiresAt);
    const amzDate = expires.toISOString().replace(/[-:]|\.\d{3}/g, '');
    res.json({
      s3file: { uploadid: upload.uploadId, targetid: upload.targetId },
      s3_filename: upload.s3Filename,
      target_key: upload.s3Filename,
      multipart_params: {
        acl: 'private',
        success_action_status: '201',
        'Content-Type': contentTypeOf(filename),
        key: upload.s3Filename,
        Policy: upload.policy,
        'X-Amz-Signature': upload.signature,
        'x-amz-credential': `EMULATORKEY/${amzDate.slice(0, 8)}/eu-central-1/s3/aws4_request`,
        'x-amz-algorithm': 'AWS4-HMAC-SHA256',
        'x-amz-date': amzDate,
      },
    });
  };

  /** Chunk registration, or the finalise when the form carries `chunks` (one route, as on Bynder). */
  const registerOrFinalise = (uploadId: string | undefined, req: Request, res: Response): void => {
    const form = formOf(req);
    const upload = uploadId === undefined ? undefined : uploads.upload(uploadId);
    // The OpenAPI documents only 202 and 500 here: an unknown upload is a failure not worth retrying.
    if (!upload) return uploadFailed(res, false, 'no such upload');
    const targetId = formText(form, 'targetid');
    if (targetId !== upload.targetId) {
      return uploadFailed(res, false, `targetid must be the init's s3file.targetid`);
    }
    const chunksText = formText(form, 'chunks');
    if (chunksText !== undefined) {
      const chunks = Number(chunksText);
      if (!Number.isInteger(chunks) || chunks < 1 || chunks > MAX_PARTS) {
        return uploadFailed(res, false, `chunks must be a whole number from 1 to ${MAX_PARTS}`);
      }
      if (formText(form, 's3_filename') !== `${upload.s3Filename}/p${chunks}`) {
        return uploadFailed(res, false, `s3_filename must be the init's s3_filename followed by /p${chunks}`);
      }
      const result = uploads.finalise(
        upload.uploadId,
        chunks,
        settings.conversionDelayMs,
        settings.failingConversions,
      );
      if (!result.ok) return uploadFailed(res, false, result.detail);
      const path = upload.targetId;
      res.status(202).json({
        output: upload.targetId.replace(/[^/]+$/, ''),
        batchId: bynderId(),
        file: { bucket: 'bynder-emulator', path, type: 's3' },
        filename: path,
        importId: result.import.importId,
        locationType: 's3',
        success: 1,
      });
      return;
    }
    const chunkNumber = Number(formText(form, 'chunkNumber'));
    if (!Number.isInteger(chunkNumber) || chunkNumber < 1 || chunkNumber > MAX_PARTS) {
      return uploadFailed(res, false, `chunkNumber must be a whole number from 1 to ${MAX_PARTS}`);
    }
    if (formText(form, 'filename') !== `${upload.s3Filename}/p${chunkNumber}`) {
      return uploadFailed(res, false, `filename must be the init's s3_filename followed by /p${chunkNumber}`);
    }
    // A chunk S3 does not hold yet cannot be registered; the client may retry once it is there.
    if (!upload.parts.has(chunkNumber)) return uploadFailed(res, true, `part ${chunkNumber} is not in S3`);
    upload.registered.add(chunkNumber);
    res.status(202).json({ status: 'ok' });
  };

  const poll = (req: Request, res: Response): void => {
    const items = queryList(req, 'items') ?? [];
    if (items.length === 0) return sendEnvelope(res, 400, 'No items provided');
    const answer = { itemsDone: [] as string[], itemsFailed: [] as string[], itemsRejected: [] as string[] };
    for (const importId of items) {
      const entry = uploads.import(importId);
      const outcome = entry ? uploads.outcome(entry) : undefined;
      if (outcome === 'done') answer.itemsDone.push(importId);
      else if (outcome === 'failed') answer.itemsFailed.push(importId);
    }
    res.json(answer);
  };

  /**
   * The checks both saves share, in Bynder's documented order; answers the refusal and returns
   * undefined, or returns the import ready to save.
   */
  const convertedImport = (importId: string | undefined, res: Response): Import | undefined => {
    if (importId === undefined || importId === '') {
      sendEnvelope(res, 400, 'No importid provided', true);
      return undefined;
    }
    const entry = uploads.import(importId);
    if (!entry) {
      sendEnvelope(res, 404, 'Import ID not found', true);
      return undefined;
    }
    // ASSUMPTION: Bynder does not document a second save of one import; the emulator treats the
    // import as consumed, so a client that saves twice (creating two assets on Bynder, perhaps) fails here.
    if (entry.saved) {
      sendEnvelope(res, 404, "Upload doesn't exist", true);
      return undefined;
    }
    const outcome = uploads.outcome(entry);
    if (outcome === undefined) {
      sendEnvelope(res, 303, 'Import not converted yet, please poll', true);
      return undefined;
    }
    if (outcome === 'failed') {
      sendEnvelope(res, 500, 'Upload failed or not ready', true);
      return undefined;
    }
    return entry;
  };

  const mediaItems = (mediaId: string, entry: Import) => [
    {
      original: `final/${mediaId}/${entry.file.filename}`,
      destination: `${CDN_ORIGIN}/m/${mediaId}/original/${encodeURIComponent(entry.file.filename)}`,
    },
  ];

  const saveNew = (importId: string | undefined, req: Request, res: Response): void => {
    const form = formOf(req);
    const brandId = formText(form, 'brandId');
    if (brandId === undefined || brandId === '') return sendEnvelope(res, 400, 'No brandid provided', true);
    const refusal = saveFormProblem(form);
    if (refusal !== undefined) return sendEnvelope(res, 400, refusal, true);
    const roles = contextOf(res).principal?.roles;
    const audit = /^(1|true)$/i.test(formText(form, 'audit') ?? '');
    // Without MEDIAUPLOAD, a user may only upload for approval (into the waiting room).
    if (!roles?.has('MEDIAUPLOAD') && !audit) return sendEnvelope(res, 403, 'Access denied', true);
    if ('isPublic' in form && !roles?.has('MARKPUBLIC')) return sendEnvelope(res, 403, 'Access denied', true);
    // ASSUMPTION: an unknown brand is not documented; a 400 in the save's own words is the likeliest.
    if (!state.hasBrand(brandId)) return sendEnvelope(res, 400, 'Invalid brandid provided', true);
    const fields = Object.fromEntries(Object.entries(form).filter(([key]) => !SAVE_ONLY_KEYS.has(key)));
    const parsed = parseMediaForm(fields, state.taxonomy, settings.strict);
    if (!parsed.ok) return sendEnvelope(res, 400, parsed.message, true);
    const entry = convertedImport(importId, res);
    if (!entry) return;
    const published = formText(form, 'ISOPublicationDate');
    if (published !== undefined) parsed.patch.fields.datePublished = published;
    parsed.patch.fields.brandId = brandId;
    if (audit) parsed.patch.fields.audit = true;
    const mediaId = bynderId();
    state.createMedia(mediaId, entry.file, entry.importId, parsed.patch);
    entry.saved = true;
    res.status(201).json({
      ...(audit ? { accessRequestId: bynderId() } : {}),
      mediaid: mediaId,
      batchId: bynderId(),
      success: true,
      mediaitems: mediaItems(mediaId, entry),
    });
  };

  const saveVersion = (mediaId: string, importId: string | undefined, res: Response): void => {
    const asset = MEDIA_ID.test(mediaId) ? state.media(mediaId) : undefined;
    if (!asset) return sendEnvelope(res, 404, 'Media not found', true);
    if (!contextOf(res).principal?.roles.has('MEDIAUPLOAD')) {
      return sendEnvelope(res, 403, 'Access denied', true);
    }
    const entry = convertedImport(importId, res);
    if (!entry) return;
    state.addVersion(asset, entry.file, entry.importId);
    entry.saved = true;
    res.status(201).json({
      mediaid: asset.id,
      batchId: bynderId(),
      success: true,
      mediaitems: mediaItems(asset.id, entry),
    });
  };

  const routes: RouteDef[] = [
    // ## Closest S3 endpoint: a JSON string, the bucket URL
    { method: 'GET', template: '/api/upload/endpoint/', handle: (_req, res) => void res.json(deps.s3Url()) },
    // ## Init: filename → upload id, S3 key and the signed POST policy
    { method: 'POST', template: '/api/upload/init/', handle: init },
    // ## Poll: ?items=<importId>,<importId>
    { method: 'GET', template: '/api/v4/upload/poll/', handle: poll },
    // ## Register a chunk / finalise: POST /api/v4/upload/{id}/ (the OpenAPI's form)
    {
      method: 'POST',
      template: '/api/v4/upload/:id/',
      handle: (req, res) => registerOrFinalise(String(req.params.id), req, res),
    },
    // ## Register a chunk: POST /api/v4/upload/ with `id` in the form (the JS SDK's form)
    {
      method: 'POST',
      template: '/api/v4/upload/',
      handle: (req, res) => registerOrFinalise(formText(formOf(req), 'id'), req, res),
    },
    // ## Save as a new asset: POST /api/v4/media/save/{importId}/, or importId in the form (JS SDK)
    {
      method: 'POST',
      template: '/api/v4/media/save/:importId/',
      handle: (req, res) => saveNew(String(req.params.importId), req, res),
    },
    {
      method: 'POST',
      template: '/api/v4/media/save/',
      handle: (req, res) => saveNew(formText(formOf(req), 'importId'), req, res),
    },
    // ## Save as a new version: POST /api/v4/media/{id}/save/{importId}/, or importId in the form
    {
      method: 'POST',
      template: '/api/v4/media/:id/save/:importId/',
      handle: (req, res) => saveVersion(String(req.params.id), String(req.params.importId), res),
    },
    {
      method: 'POST',
      template: '/api/v4/media/:id/save/',
      handle: (req, res) => saveVersion(String(req.params.id), formText(formOf(req), 'importId'), res),
    },
  ];
  return routes.map((route) => ({ ...route, access: UPLOAD, statusAsString: true }));
}

/** What the OpenAPI's 400s of a save say about its crc32 and date fields, if anything is wrong. */
function saveFormProblem(form: Record<string, unknown>): string | undefined {
  const crc32 = formText(form, 'crc32');
  if (crc32 !== undefined) {
    if (!/^-?\d+$/.test(crc32.trim())) return 'Invalid argument type for CRC32';
    const value = Number(crc32);
    if (value < 0 || value > 0xffffffff) return 'Invalid unsigned integer for CRC32';
  }
  for (const field of DATE_FIELDS) {
    const value = formText(form, field);
    if (value !== undefined && value !== '' && !ISO_8601.test(value)) {
      return 'Date format not ISO8601-compliant';
    }
  }
  return undefined;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
};

/** The `Content-Type` the init's multipart params carry: the file's type, or a wildcard as Bynder's example shows. */
function contentTypeOf(filename: string): string {
  const extension = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'image/*';
}
