import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Bynder's S3-chunk upload flow as data, without HTTP (https://api.bynder.com/reference, "Upload
 * assets"): an init reserves an upload and signs a POST policy for the S3 bucket; each chunk is
 * POSTed to the bucket as `<key>/p<n>` and registered with Bynder; the finalise turns the parts
 * into an import that converts for a while; a save turns a converted import into an asset or a
 * new version of one. No byte of a file is kept: a part is its size and MD5, and a file is the
 * parts' sizes added up and an S3 multipart-style ETag, so a 1 GB upload costs a few hundred bytes.
 */

/** The largest part the signed policy allows: the 5 MiB chunks every official SDK sends. */
export const DEFAULT_MAX_CHUNK_BYTES = 5 * 1024 * 1024;
/** S3 refuses a part number past 10,000 (S3's multipart limit, kept by the stand-in). */
export const MAX_PARTS = 10_000;
/** How long an init's signed policy stays valid: Bynder's SDKs use it at once; one hour is S3's common choice. */
export const POLICY_LIFETIME_MS = 60 * 60 * 1000;

/** One chunk as the S3 stand-in received it. */
export interface StoredPart {
  size: number;
  /** Hex MD5 of the chunk, as S3 gives a part's ETag. */
  md5: string;
}

export interface Upload {
  uploadId: string;
  /** `final/<uuid>/<filename>`: where Bynder keeps the original once finalised. */
  targetId: string;
  /** The S3 key the chunks go under, as `<s3Filename>/p<n>`. */
  s3Filename: string;
  filename: string;
  /** Base64 POST policy and its signature, as the init answer carries them. */
  policy: string;
  signature: string;
  expiresAt: number;
  /** Part number → what S3 holds under `<s3Filename>/p<n>`. */
  parts: Map<number, StoredPart>;
  /** Part numbers registered with Bynder. */
  registered: Set<number>;
  /** Set once finalised: the import the finalise answered. */
  importId?: string;
}

export interface UploadedFile {
  filename: string;
  size: number;
  /** S3 multipart ETag: MD5 of the parts' binary MD5s in part order, `-<parts>`. */
  etag: string;
  chunks: number;
}

export interface Import {
  importId: string;
  uploadId: string;
  file: UploadedFile;
  /** Emulator clock time at which conversion ends. */
  readyAt: number;
  /** Conversion fails (the poll lists it in itemsFailed) instead of succeeding. */
  fails: boolean;
  /** A save consumed it. */
  saved: boolean;
}

export interface SeedBrand {
  id: string;
  name: string;
  description?: string;
  image?: string;
  subBrands?: SeedBrand[];
}

/** Bynder's id form: 8-4-4-16 upper-case hex. */
export function bynderId(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16)}`;
}

/** The portal's one brand when a seed names none, so an empty portal can still save an upload. */
export const DEFAULT_BRANDS: SeedBrand[] = [
  {
    id: '00000000-0000-0000-0000000000000B01',
    name: 'Emulator brand',
    description: 'The brand every emulated portal has unless the seed lists brands',
    image: '',
    subBrands: [],
  },
];

/** A file name S3 and Bynder accept: a base name and an extension, no path. */
export function isValidFilename(filename: string): boolean {
  return /^[^/\\\u0000-\u001f]+\.[A-Za-z0-9]{1,10}$/.test(filename) && filename.length <= 255;
}

export type FinaliseResult =
  { ok: true; import: Import } | { ok: false; problem: 'unknown-upload' | 'incomplete'; detail: string };

/** Uploads, parts and imports of one emulated portal. */
export class UploadStore {
  private readonly uploads = new Map<string, Upload>();
  private readonly byPolicy = new Map<string, Upload>();
  private readonly imports = new Map<string, Import>();
  /** Secret the emulator signs its POST policies with (per run, never shown). */
  private readonly secret = randomBytes(32);

  public constructor(private readonly now: () => number) {}

  public clear(): void {
    this.uploads.clear();
    this.byPolicy.clear();
    this.imports.clear();
  }

  public init(filename: string, maxChunkBytes: number): Upload {
    const uploadId = randomBytes(48).toString('base64url');
    const folder = bynderId();
    const expiresAt = this.now() + POLICY_LIFETIME_MS;
    const s3Filename = `api_uploads/${folder}/${bynderId()}/${filename}`;
    const policy = Buffer.from(
      JSON.stringify({
        expiration: new Date(expiresAt).toISOString(),
        conditions: [
          { bucket: 'bynder-emulator' },
          ['starts-with', '$key', `${s3Filename}/p`],
          { acl: 'private' },
          { success_action_status: '201' },
          ['content-length-range', 1, maxChunkBytes],
        ],
      }),
    ).toString('base64');
    const upload: Upload = {
      uploadId,
      targetId: `final/${folder}/${filename}`,
      s3Filename,
      filename,
      policy,
      signature: createHmac('sha256', this.secret).update(policy).digest('hex'),
      expiresAt,
      parts: new Map(),
      registered: new Set(),
    };
    this.uploads.set(uploadId, upload);
    this.byPolicy.set(policy, upload);
    return upload;
  }

  public upload(uploadId: string): Upload | undefined {
    return this.uploads.get(uploadId);
  }

  /** The upload a POST policy was issued for, when the signature is the one the emulator made. */
  public uploadForPolicy(policy: string, signature: string): Upload | undefined {
    const upload = this.byPolicy.get(policy);
    return upload && upload.signature === signature ? upload : undefined;
  }

  /** Stores (or replaces, as S3 does for the same key) a part. */
  public storePart(upload: Upload, partNumber: number, part: StoredPart): void {
    upload.parts.set(partNumber, part);
  }

  /**
   * The finalise: every part 1..chunks must be in S3 and registered, no part past `chunks` may
   * exist, and the key must name the last part, or Bynder could not assemble the file.
   */
  public finalise(
    uploadId: string,
    chunks: number,
    conversionDelayMs: number,
    failingFilenames: readonly string[],
  ): FinaliseResult {
    const upload = this.uploads.get(uploadId);
    if (!upload) return { ok: false, problem: 'unknown-upload', detail: 'no such upload' };
    if (upload.importId !== undefined) {
      const existing = this.imports.get(upload.importId);
      if (existing) return { ok: true, import: existing };
    }
    for (let n = 1; n <= chunks; n += 1) {
      if (!upload.parts.has(n)) return { ok: false, problem: 'incomplete', detail: `part ${n} is not in S3` };
      if (!upload.registered.has(n)) {
        return { ok: false, problem: 'incomplete', detail: `part ${n} was not registered` };
      }
    }
    const extra = [...upload.parts.keys()].find((n) => n > chunks);
    if (extra !== undefined) {
      return { ok: false, problem: 'incomplete', detail: `part ${extra} lies past chunks=${chunks}` };
    }
    const parts = Array.from({ length: chunks }, (_, i) => upload.parts.get(i + 1)!);
    const etagHash = createHash('md5');
    for (const part of parts) etagHash.update(Buffer.from(part.md5, 'hex'));
    const file: UploadedFile = {
      filename: upload.filename,
      size: parts.reduce((sum, part) => sum + part.size, 0),
      etag: `${etagHash.digest('hex')}-${chunks}`,
      chunks,
    };
    const created: Import = {
      importId: bynderId(),
      uploadId,
      file,
      readyAt: this.now() + conversionDelayMs,
      fails: failingFilenames.includes(upload.filename),
      saved: false,
    };
    upload.importId = created.importId;
    this.imports.set(created.importId, created);
    return { ok: true, import: created };
  }

  public import(importId: string): Import | undefined {
    return this.imports.get(importId);
  }

  /** Conversion state on the emulator's clock: undefined while converting. */
  public outcome(entry: Import): 'done' | 'failed' | undefined {
    if (this.now() < entry.readyAt) return undefined;
    return entry.fails ? 'failed' : 'done';
  }
}
