import { storage } from '@zaiusinc/app-sdk';

import { uploadFile } from '../../src/lib/bynder/upload';
import { createPacedClient } from '../../src/lib/delivery';
import { openFileFromUrl } from '../../src/lib/files/open-file';
import { portalOriginOf } from '../../src/lib/portal-url';
import { type Logger, systemClock } from '../../src/lib/runtime-ports';
import type { BenchJob, UploadAnswer } from './bench-job';

// The uploading side of the upload bench, in a process of its own (run-one.ts), so its peak RSS is
// the app's alone: the emulator and the file host run in the parent. The file is opened as a record's
// file URL is (src/lib/files: guarded, size-limited, streamed) and handed to the upload as it arrives.

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export async function runUpload(job: Extract<BenchJob, { kind: 'upload' }>): Promise<UploadAnswer> {
  const { api } = createPacedClient(
    {
      portalUrl: portalOriginOf(job.target.url),
      credentials: { kind: 'permanent_token', token: job.target.token },
      requestsPerSecond: job.requestsPerSecond,
    },
    { logger: silent, clock: systemClock, kvStore: storage.kvStore },
  );
  const startedAt = Date.now();
  // Larger than the largest bench file: the limit is checked, never reached.
  const opened = await openFileFromUrl({ field: 'file_url', url: job.fileUrl }, { maxBytes: 2 * 1024 ** 3 });
  const file = { ...opened, fileName: job.fileName };
  // No brand given: the emulated portal's only brand, as a portal with one brand would be.
  const result = await uploadFile(
    file,
    { kind: 'new_asset', form: { name: job.fileName } },
    { api, logger: silent },
  );
  return {
    kind: 'upload',
    mediaId: result.mediaId,
    bytes: result.bytes,
    chunks: result.chunks,
    s3Requests: result.s3Requests,
    startedAt,
    elapsedMs: Date.now() - startedAt,
    maxRssKb: process.resourceUsage().maxRSS,
  };
}
