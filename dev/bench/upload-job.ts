import http from 'node:http';

import { storage } from '@zaiusinc/app-sdk';

import { uploadFile } from '../../src/lib/bynder/upload';
import type { UploadFile } from '../../src/lib/bynder/upload-types';
import { createPacedClient } from '../../src/lib/delivery';
import { portalOriginOf } from '../../src/lib/portal-url';
import { type Logger, systemClock } from '../../src/lib/runtime-ports';
import type { BenchJob, UploadAnswer } from './bench-job';

// The uploading side of the upload bench, in a process of its own (run-one.ts), so its peak RSS is
// the app's alone: the emulator and the file host run in the parent. The file is read with a plain
// dev-only HTTP GET and handed to the upload as the response stream, as it arrives.

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The response to a GET of `url` as a stream (loopback file host only: no checks, dev only). */
function openFile(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`the file host answered ${response.statusCode} for ${url}`));
          return;
        }
        resolve(response);
      })
      .on('error', reject);
  });
}

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
  const response = await openFile(job.fileUrl);
  const length = Number(response.headers['content-length']);
  const file: UploadFile = {
    fileName: job.fileName,
    ...(Number.isSafeInteger(length) ? { size: length } : {}),
    ...(response.headers['content-type'] !== undefined
      ? { contentType: response.headers['content-type'] }
      : {}),
    body: response,
  };
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
