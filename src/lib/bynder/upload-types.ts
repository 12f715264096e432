import type { MediaForm } from './bynder-api';

// Shapes of Bynder's S3-chunk upload flow (https://api.bynder.com/reference, "Upload assets"), as
// the client reads them, and what a caller hands the uploader. Only the fields the flow uses are
// typed; Bynder sends more.

/**
 * A file to upload, as a stream of bytes: read once, in order, as it arrives. `size` and
 * `contentType` are what its source says, when it says anything; neither is trusted for the upload
 * itself (the bytes are counted as they pass).
 */
export interface UploadFile {
  /** The name Bynder keeps as the original's file name; needs an extension (Bynder refuses `image`). */
  fileName: string;
  size?: number;
  contentType?: string;
  body: AsyncIterable<Uint8Array>;
}

/** What `POST /api/upload/init/` answers: where the chunks go and how S3 will accept them. */
export interface UploadInit {
  uploadId: string;
  /** `final/<uuid>/<file name>`: sent with every registration and the finalise. */
  targetId: string;
  /** S3 key prefix of the chunks: chunk n goes to `<s3Filename>/p<n>`. */
  s3Filename: string;
  /** The signed POST policy's form fields (acl, key, Policy, X-Amz-Signature, ...), sent with each chunk. */
  multipartParams: Record<string, string>;
}

/** What the finalise answers: the import that converts, then is saved. */
export interface FinalisedUpload {
  importId: string;
}

/** Conversion state of imports, as one poll answers it; an import still converting is in none. */
export interface PollAnswer {
  done: string[];
  failed: string[];
  rejected: string[];
}

/** A save's answer: the asset (new, or the one that got a version), or "not converted yet" (303). */
export type SaveAnswer = { kind: 'saved'; mediaId: string } | { kind: 'not_converted' };

/** One brand of the portal (sub-brands flattened in by the caller when needed). */
export interface Brand {
  id: string;
  name: string;
  subBrands: Brand[];
}

/**
 * Where the uploaded file goes: a new asset, described whole in the save request itself (so an
 * asset never exists half-described), or a new version of an existing asset.
 */
export type UploadTarget =
  | {
      kind: 'new_asset';
      /** The brand to save into; without one, the portal's only brand (an error names them when there are several). */
      brandId?: string;
      /** `name`, `description`, `tags`, `metaproperty.<id>`, ...: the modify's form fields (media-form.ts). */
      form: MediaForm;
      /** Upload for approval: the asset waits in Bynder's waiting room (what MEDIAUPLOADFORAPPROVAL allows). */
      audit?: boolean;
    }
  | { kind: 'new_version'; mediaId: string };

export interface UploadResult {
  /** The new asset, or the asset that got a new version. */
  mediaId: string;
  importId: string;
  /** Bytes read from the file and sent to S3. */
  bytes: number;
  chunks: number;
  /** Requests sent to S3, retries included (they are not Bynder requests: see upload-chunks.ts). */
  s3Requests: number;
}

/** The Bynder steps of the upload flow, one method per endpoint (BynderClient implements them). */
export interface BynderUploadApi {
  /** `GET /api/upload/endpoint/`: the S3 bucket URL chunks are POSTed to. */
  getUploadEndpoint(): Promise<string>;
  /** `POST /api/upload/init/`. */
  initUpload(fileName: string): Promise<UploadInit>;
  /** `POST /api/v4/upload/{uploadId}/` with `chunkNumber`: chunk n is in S3. */
  registerChunk(init: UploadInit, chunkNumber: number): Promise<void>;
  /** `POST /api/v4/upload/{uploadId}/` with `chunks`: all chunks are in; answers the import. */
  finaliseUpload(init: UploadInit, chunks: number, fileName: string): Promise<FinalisedUpload>;
  /** `GET /api/v4/upload/poll/?items=a,b`: many imports in one request. */
  pollImports(importIds: readonly string[]): Promise<PollAnswer>;
  /** `POST /api/v4/media/save/{importId}/`: a new asset with every field in the same request. */
  saveAsNewAsset(importId: string, form: MediaForm): Promise<SaveAnswer>;
  /** `POST /api/v4/media/{id}/save/{importId}/`: the import becomes the asset's new version. */
  saveAsNewVersion(mediaId: string, importId: string): Promise<SaveAnswer>;
  /** `GET /api/v4/brands/`. */
  listBrands(): Promise<Brand[]>;
}
