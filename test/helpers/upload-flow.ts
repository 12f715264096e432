import { createHash, randomBytes } from 'node:crypto';

import type { RunningEmulator } from '../../dev/bynder-emulator/server';
import { callEmulator, type EmulatorResponse } from './use-emulator';

/**
 * The steps of Bynder's S3-chunk upload flow as plain HTTP requests, for tests that drive the
 * emulator without the app's client: each step returns the raw answer, so a test can assert it.
 */

/** What `POST /api/upload/init/` answers (the fields the later steps need). */
export interface InitAnswer {
  s3file: { uploadid: string; targetid: string };
  s3_filename: string;
  target_key: string;
  multipart_params: Record<string, string>;
}

type Emulator = Pick<RunningEmulator, 'url' | 'token'>;

export function getEndpoint(emulator: Emulator, token?: string): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'GET', '/api/upload/endpoint/', { ...(token ? { token } : {}) });
}

export async function initUpload(emulator: Emulator, filename: string): Promise<InitAnswer> {
  const response = await callEmulator(emulator, 'POST', '/api/upload/init/', { form: { filename } });
  if (response.status !== 200) throw new Error(`init answered ${response.status}: ${response.text}`);
  return response.json as InitAnswer;
}

/** The multipart form fields of chunk `n`, as the JS SDK builds them from the init's params. */
export function chunkFields(init: InitAnswer, n: number): Record<string, string> {
  const key = `${init.multipart_params.key}/p${n}`;
  return { ...init.multipart_params, key, Filename: key, name: `p${n}`, chunk: String(n) };
}

/** POSTs one chunk to the S3 stand-in as a browser-style multipart form (fields first, file last). */
export async function postChunk(
  s3Url: string,
  init: InitAnswer,
  n: number,
  bytes: Uint8Array,
  fields: Record<string, string> = chunkFields(init, n),
): Promise<EmulatorResponse> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), `p${n}`);
  const response = await fetch(s3Url, { method: 'POST', body: form });
  return { status: response.status, headers: response.headers, text: await response.text(), json: undefined };
}

export function registerChunk(
  emulator: Emulator,
  init: InitAnswer,
  n: number,
  token?: string,
): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'POST', `/api/v4/upload/${encodeURIComponent(init.s3file.uploadid)}/`, {
    form: {
      chunkNumber: String(n),
      targetid: init.s3file.targetid,
      filename: `${init.s3_filename}/p${n}`,
    },
    ...(token ? { token } : {}),
  });
}

export function finaliseUpload(
  emulator: Emulator,
  init: InitAnswer,
  chunks: number,
  originalFilename: string,
  token?: string,
): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'POST', `/api/v4/upload/${encodeURIComponent(init.s3file.uploadid)}/`, {
    form: {
      targetid: init.s3file.targetid,
      s3_filename: `${init.s3_filename}/p${chunks}`,
      chunks: String(chunks),
      original_filename: originalFilename,
    },
    ...(token ? { token } : {}),
  });
}

export function pollImports(
  emulator: Emulator,
  importIds: string[],
  token?: string,
): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'GET', `/api/v4/upload/poll/?items=${importIds.join(',')}`, {
    ...(token ? { token } : {}),
  });
}

export function saveAsNew(
  emulator: Emulator,
  importId: string,
  form: Record<string, string | string[]>,
  token?: string,
): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'POST', `/api/v4/media/save/${importId}/`, {
    form,
    ...(token ? { token } : {}),
  });
}

export function saveAsVersion(
  emulator: Emulator,
  mediaId: string,
  importId: string,
  token?: string,
): Promise<EmulatorResponse> {
  return callEmulator(emulator, 'POST', `/api/v4/media/${mediaId}/save/${importId}/`, {
    form: {},
    ...(token ? { token } : {}),
  });
}

/** Random bytes of a file in chunks of `chunkBytes`, and the S3 multipart ETag they make. */
export function fileInChunks(size: number, chunkBytes: number): { chunks: Buffer[]; etag: string } {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < size; offset += chunkBytes) {
    chunks.push(randomBytes(Math.min(chunkBytes, size - offset)));
  }
  return { chunks, etag: multipartEtag(chunks) };
}

/** S3's multipart ETag: MD5 of the parts' binary MD5s, then `-<parts>`. */
export function multipartEtag(chunks: Uint8Array[]): string {
  const outer = createHash('md5');
  for (const chunk of chunks) outer.update(createHash('md5').update(chunk).digest());
  return `${outer.digest('hex')}-${chunks.length}`;
}

/**
 * Runs the flow up to a finalised import: init, every chunk to S3 and registered, finalise.
 * Returns the init and the import id.
 */
export async function uploadToImport(
  emulator: Emulator & { s3Url: string },
  filename: string,
  chunks: Buffer[],
): Promise<{ init: InitAnswer; importId: string }> {
  const init = await initUpload(emulator, filename);
  for (const [index, chunk] of chunks.entries()) {
    const stored = await postChunk(emulator.s3Url, init, index + 1, chunk);
    if (stored.status !== 201) {
      throw new Error(`chunk ${index + 1} to S3 answered ${stored.status}: ${stored.text}`);
    }
    const registered = await registerChunk(emulator, init, index + 1);
    if (registered.status !== 202) throw new Error(`register ${index + 1} answered ${registered.status}`);
  }
  const finalised = await finaliseUpload(emulator, init, chunks.length, filename);
  if (finalised.status !== 202) throw new Error(`finalise answered ${finalised.status}: ${finalised.text}`);
  return { init, importId: (finalised.json as { importId: string }).importId };
}
