import { createHash } from 'node:crypto';

import busboy from 'busboy';
import express, { type Request, type RequestHandler, type Response } from 'express';

import type { Delays } from './delays';
import { faultsMiddleware, type FaultList } from './middleware/faults';
import { requestLogMiddleware, type RequestLog } from './middleware/request-log';
import { RouteTable, type RouteDef } from './route-table';
import type { EmulatorSettings } from './runtime-settings';
import { postResponseXml, sendS3Error } from './s3-xml';
import { MAX_PARTS, type Upload, type UploadStore } from './uploads';

/**
 * The S3 bucket the upload flow's chunks go to: a browser-style POST Object
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html), multipart/form-data with
 * the init's `multipart_params` as fields and the chunk as the `file` field, last. It checks what
 * S3 checks against the signed policy (signature, expiry, key prefix, acl, success status, size)
 * and keeps each chunk's size and MD5 only: the bytes are hashed as they stream in, never held.
 * Faults and the request log are the emulator's own (rules with `host: 's3'` hit only here); no
 * rate limit and no bearer token, as S3 is not Bynder.
 */
export const S3_ROUTE: RouteDef = { method: 'POST', template: '/', handle: () => undefined };
const BUCKET = 'bynder-emulator';

/** Fields S3 ignores in the policy check (the JS SDK sends plupload's names along). */
const POLICY_EXEMPT = new Set(['policy', 'x-amz-signature', 'file', 'name', 'chunk', 'chunks', 'filename']);

interface S3Parts {
  uploads: UploadStore;
  settings: EmulatorSettings;
  log: RequestLog;
  faults: FaultList;
  delays: Delays;
  now: () => number;
  random: () => number;
  /** The stand-in's own URL, for the `Location` of a stored part. */
  url: () => string;
}

export function s3App(parts: S3Parts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogMiddleware(parts.log, new RouteTable([S3_ROUTE]), parts.now, 's3'));
  app.use(faultsMiddleware(parts.faults, parts.settings, parts.delays, parts.random, 's3'));
  app.post('/', postObject(parts));
  app.use((_req, res) => sendS3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed'));
  return app;
}

/** A refusal S3 would give, or the stored part. */
type Outcome = { status: number; code: string; message: string } | { stored: { key: string; md5: string } };

function postObject(parts: S3Parts): RequestHandler {
  return (req: Request, res: Response) => {
    if (!req.is('multipart/form-data')) {
      return sendS3Error(
        res,
        412,
        'PreconditionFailed',
        'Bucket POST must be of the enclosure-type multipart/form-data',
      );
    }
    const maxBytes = parts.settings.maxChunkBytes;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: maxBytes + 1, files: 1, fieldSize: 64 * 1024 },
      });
    } catch {
      return sendS3Error(
        res,
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    }
    const fields = new Map<string, string>();
    let outcome: Outcome | undefined;
    let sawFile = false;
    const refuse = (status: number, code: string, message: string): void => {
      outcome ??= { status, code, message };
    };

    parser.on('field', (name, value) => {
      // S3 ignores fields after the file; case of field names does not matter to it.
      if (!sawFile) fields.set(name.toLowerCase(), value);
    });
    parser.on('file', (_name, stream) => {
      if (sawFile) {
        stream.resume();
        return refuse(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
      }
      sawFile = true;
      const check = checkPolicy(fields, parts);
      if (!check.ok) {
        stream.resume(); // drain, so the client gets the answer rather than a broken pipe
        return refuse(check.status, check.code, check.message);
      }
      const { upload, partNumber, key } = check;
      const md5 = createHash('md5');
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        md5.update(chunk);
      });
      stream.on('limit', () =>
        refuse(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'),
      );
      stream.on('end', () => {
        if (outcome) return;
        if (size === 0) {
          return refuse(
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size',
          );
        }
        const digest = md5.digest('hex');
        parts.uploads.storePart(upload, partNumber, { size, md5: digest });
        outcome = { stored: { key, md5: digest } };
      });
    });
    parser.on('error', () =>
      refuse(
        400,
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      ),
    );
    parser.on('close', () => {
      if (res.headersSent) return;
      if (!sawFile && !outcome) {
        refuse(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
      }
      if (!outcome) {
        return sendS3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      }
      if ('stored' in outcome) {
        const { key, md5 } = outcome.stored;
        res
          .status(201)
          .set('ETag', `"${md5}"`)
          .type('application/xml')
          .send(postResponseXml(`${parts.url()}${encodeURI(key)}`, BUCKET, key, md5));
        return;
      }
      sendS3Error(res, outcome.status, outcome.code, outcome.message);
    });
    // A client that goes away mid-chunk leaves nothing stored: the part is kept only on 'end'.
    req.on('aborted', () => parser.destroy());
    req.pipe(parser);
  };
}

type PolicyCheck =
  | { ok: false; status: number; code: string; message: string }
  | { ok: true; upload: Upload; partNumber: number; key: string };

const policyFailed = (condition: string): PolicyCheck => ({
  ok: false,
  status: 403,
  code: 'AccessDenied',
  message: `Invalid according to Policy: ${condition}`,
});

/** Fields the init's policy covers, besides the signing fields (`x-amz-*`). */
const POLICY_FIELDS = new Set(['key', 'acl', 'success_action_status', 'content-type']);

/** What S3 checks before it accepts the file: the policy's signature, expiry and conditions. */
function checkPolicy(fields: Map<string, string>, parts: S3Parts): PolicyCheck {
  const policy = fields.get('policy');
  const signature = fields.get('x-amz-signature');
  const key = fields.get('key');
  if (policy === undefined || signature === undefined || key === undefined) {
    return {
      ok: false,
      status: 400,
      code: 'InvalidArgument',
      message: "Bucket POST must contain the fields 'key', 'Policy' and 'X-Amz-Signature' before the file",
    };
  }
  const upload = parts.uploads.uploadForPolicy(policy, signature);
  if (!upload) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  if (parts.now() >= upload.expiresAt) return policyFailed('Policy expired.');
  const prefix = `${upload.s3Filename}/p`;
  const partNumber = key.startsWith(prefix) ? Number(key.slice(prefix.length)) : Number.NaN;
  if (
    !Number.isInteger(partNumber) ||
    partNumber < 1 ||
    partNumber > MAX_PARTS ||
    key !== `${prefix}${partNumber}`
  ) {
    return policyFailed(
      `Policy Condition failed: ["starts-with", "$key", "${prefix}"] (part 1 to ${MAX_PARTS})`,
    );
  }
  if (fields.get('acl') !== 'private') {
    return policyFailed('Policy Condition failed: ["eq", "$acl", "private"]');
  }
  if (fields.get('success_action_status') !== '201') {
    return policyFailed('Policy Condition failed: ["eq", "$success_action_status", "201"]');
  }
  // S3 refuses a field the policy does not cover; the init's params and plupload's are covered.
  for (const name of fields.keys()) {
    if (POLICY_EXEMPT.has(name) || POLICY_FIELDS.has(name) || name.startsWith('x-amz-')) continue;
    return policyFailed(`Extra input fields: ${name}`);
  }
  return { ok: true, upload, partNumber, key };
}
