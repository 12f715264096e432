import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { UploadRefusedError } from './UploadRefusedError';

// The source files uploaded from the page, kept on disk under the server's work directory until a
// run reads them. Bounded in size per file, in number, and in bytes in all: the page uses one file
// at a time, so the oldest uploads make room for a new one (never the one a run is reading).

export interface UploadLimits {
  /** Bytes one file may have. */
  maxFileBytes: number;
  /** Files kept at once. */
  maxFiles: number;
  /** Bytes kept at once, all files together. */
  maxTotalBytes: number;
}

/** Enough for a CSV of about 100,000 assets' metadata; bigger sources go through `sync --source`. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 20 * 1024 * 1024,
  maxFiles: 10,
  maxTotalBytes: 100 * 1024 * 1024,
};

export interface SourceUpload {
  id: string;
  name: string;
  file: string;
  bytes: number;
  columns: string[];
}

export class SourceUploads {
  private readonly uploads = new Map<string, SourceUpload>();
  private count = 0;
  /** Bytes promised to uploads still being received, so two at once cannot pass the total together. */
  private reserved = 0;

  public constructor(
    private readonly workDir: string,
    public readonly limits: UploadLimits,
    /** The upload a run is reading now, if any: never dropped to make room. */
    private readonly inUse: () => string | undefined,
  ) {}

  public get(id: string): SourceUpload | undefined {
    return this.uploads.get(id);
  }

  /** What the limits are, in the words every refusal ends with. */
  public describeLimits(): string {
    const { maxFileBytes, maxFiles, maxTotalBytes } = this.limits;
    return (
      `the page takes source files of up to ${formatBytes(maxFileBytes)} each, ` +
      `and keeps at most ${maxFiles} files and ${formatBytes(maxTotalBytes)} at once`
    );
  }

  /**
   * Checks a coming upload's declared size and makes room for it (dropping the oldest uploads);
   * returns the release of the reserved bytes, to call once the upload is kept or has failed.
   */
  public async reserve(
    name: string,
    contentLength: string | undefined,
  ): Promise<{ bytes: number; release: () => void }> {
    const bytes = contentLength === undefined ? NaN : Number(contentLength);
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new UploadRefusedError(
        411,
        `"${name}" came without its size (Content-Length); send the file as one request body with its length`,
      );
    }
    if (bytes > this.limits.maxFileBytes) {
      throw new UploadRefusedError(
        413,
        `"${name}" is ${formatBytes(bytes)}: ${this.describeLimits()}. ` +
          'For a bigger source, run "npm run cli -- sync --source FILE", which reads the file as a stream',
      );
    }
    await this.dropOldestUntil(bytes);
    if (!this.fits(bytes)) {
      throw new UploadRefusedError(
        413,
        `"${name}" (${formatBytes(bytes)}) does not fit beside the uploads in use (one a run is reading, ` +
          `or others still arriving): ${this.describeLimits()}. Upload it again once the run has ended`,
      );
    }
    this.reserved += bytes;
    let released = false;
    return {
      bytes,
      release: () => {
        if (!released) this.reserved -= bytes;
        released = true;
      },
    };
  }

  /** Writes the received bytes to disk and keeps them under a new id; `columns` is read from the file. */
  public async keep(
    name: string,
    body: Buffer,
    readColumns: (file: string) => Promise<string[]>,
  ): Promise<SourceUpload> {
    const id = `s${++this.count}`;
    const dir = await mkdtemp(path.join(this.workDir, 'source-'));
    const file = path.join(dir, name);
    try {
      await writeFile(file, body);
      const upload = { id, name, file, bytes: body.length, columns: await readColumns(file) };
      this.uploads.set(id, upload);
      return upload;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  private keptBytes(): number {
    let total = 0;
    for (const upload of this.uploads.values()) total += upload.bytes;
    return total;
  }

  private fits(bytes: number): boolean {
    return (
      this.uploads.size < this.limits.maxFiles &&
      this.keptBytes() + this.reserved + bytes <= this.limits.maxTotalBytes
    );
  }

  /** Drops the oldest uploads (not the one in use), files included, until one more of `bytes` fits. */
  private async dropOldestUntil(bytes: number): Promise<void> {
    for (const upload of [...this.uploads.values()]) {
      if (this.fits(bytes)) return;
      if (upload.id === this.inUse()) continue;
      this.uploads.delete(upload.id);
      await rm(path.dirname(upload.file), { recursive: true, force: true });
    }
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}
