import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { guardedLookup, PRIVATE_ADDRESS_CODE } from '../net/address-guard';
import { redactUrl } from '../redact';
import {
  deniedByContentType,
  deniedByName,
  deniedBySignature,
  extensionOf,
  SIGNATURE_BYTES,
} from './deny-list';
import {
  type FileFetchError,
  type FileOrigin,
  type FileProblem,
  FileRefusedError,
  FileUnavailableError,
} from './errors';
import { checkFileUrl, DENIED_TYPE_FIX } from './file-url';

// Opens the file a record names by URL, for upload: one GET, redirects followed by hand so each
// target is checked again, and a body that streams as it arrives. A file URL is hostile input:
// it can point at this machine or a private network (directly, through DNS or through a
// redirect), never end, grow without bound, or be a program; each is refused here, before the
// upload sends anything to Bynder. Nothing of the app's goes with the request: no Authorization,
// no cookie, no credentials of the URL, only the headers below.

/** A file ready to upload: `body` yields the bytes as the host sends them, never the whole file at once. */
export interface FileForUpload {
  /** The name the host gives (Content-Disposition) or the last segment of the URL's path. */
  fileName: string;
  /** Bytes, when the host declares them (Content-Length). */
  size?: number;
  contentType?: string;
  /**
   * Read it to the end, or stop early (`break`, or `return()` on its iterator, also before the first
   * read): each closes the connection. The caller's `signal` closes it too. Throws a
   * FileFetchError when the file outgrows the limit, the host stalls or the connection drops.
   */
  body: AsyncIterable<Uint8Array>;
}

/** Where a record names its file: the field (for messages) and the URL as the record holds it. */
export interface FileSource {
  field: string;
  url: string;
}

export interface FileFetchOptions {
  /** The most bytes a file may have (the "Largest file" setting), checked before and while reading. */
  maxBytes: number;
  /** From the start of the request until the connection (TLS included) is up. */
  connectTimeoutMs?: number;
  /** The longest silence from the host once connected: waiting for the headers, or between two pieces. */
  readTimeoutMs?: number;
  /** Redirects followed before giving up. */
  maxRedirects?: number;
  /** Resolves host names (default dns.lookup); every answer passes the address guard. Tests stub it. */
  lookup?: LookupFunction;
  /** Aborts the fetch, reading included (the caller's time budget). */
  signal?: AbortSignal;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_READ_TIMEOUT_MS = 30_000;
/** Browsers follow about 20; a file link needs one or two (a CDN's canonical host, a signed URL). */
export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Answers that may heal by themselves: timeouts, too early, too many requests, server trouble. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);
/** Node codes of a connection that failed or dropped; all may heal. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * The only headers sent. `identity`: the bytes counted and uploaded are the file's own, not a
 * compressed copy of them.
 */
const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent': 'bynder-asset-sync-ocp-app (file fetch for upload)',
  Accept: '*/*',
  'Accept-Encoding': 'identity',
};

const NOT_PUBLIC_FIX = 'Use the address of a file on a public web server or CDN';
/** Where an install that keeps its files on its own domain reads what that needs. */
const OWN_CDN_HINT =
  "if the host is up and public, this install's outbound traffic may be limited to the app's outbound domains (see the app's docs/settings.md, \"Files on your own CDN\")";

interface Exchange {
  response: http.IncomingMessage;
  /** Ends the exchange with `error` (a timeout, the caller's abort, the size limit). */
  cut(error: FileFetchError): void;
  /** The error of a host silent for longer than the read timeout. */
  stalled(): FileUnavailableError;
  readTimeoutMs: number;
  /** Stops the timers and closes the connection; idempotent. */
  close(): void;
}

/**
 * Opens `source.url` for upload: resolves once the host has answered with a file the app may
 * upload, its first bytes already read (to recognise a program by its signature). Throws
 * FileRefusedError (the record is at fault: reject it) or FileUnavailableError (try later).
 */
export async function openFileFromUrl(source: FileSource, options: FileFetchOptions): Promise<FileForUpload> {
  const origin: FileOrigin = { field: source.field, url: redactUrl(source.url) };
  const refuse = (problem: FileProblem, detail: string, fix: string): FileRefusedError =>
    new FileRefusedError(origin, problem, detail, fix);
  const first = checkFileUrl(source.url);
  if (!first.ok) throw refuse(first.problem, first.detail, first.fix);

  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let url = first.url;
  for (let redirects = 0; ; redirects += 1) {
    const exchange = await send(url, origin, options);
    const { response } = exchange;
    const status = response.statusCode ?? 0;
    if (status === 200) return openBody(exchange, url, origin, options.maxBytes);
    exchange.close();
    if (!REDIRECT_STATUSES.has(status)) throw statusError(status, url, origin);

    const location = response.headers.location;
    if (location === undefined || location === '') {
      throw refuse('bad_redirect', `answered ${status} (a redirect) without saying where to`, NOT_PUBLIC_FIX);
    }
    if (redirects >= maxRedirects) {
      throw refuse(
        'too_many_redirects',
        `redirects more than ${maxRedirects} times (the most the app follows)`,
        "Put the file's final address in the field",
      );
    }
    const next = checkFileUrl(location, url);
    if (!next.ok) {
      throw refuse(
        next.problem,
        `redirects to ${redactUrl(URL.canParse(location, url.href) ? new URL(location, url) : location)}, which ${next.detail}`,
        next.fix,
      );
    }
    url = next.url;
  }
}

/** One GET of `url`, resolved with the answer's headers; timeouts and the caller's abort armed. */
function send(url: URL, origin: FileOrigin, options: FileFetchOptions): Promise<Exchange> {
  const secure = url.protocol === 'https:';
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  return new Promise<Exchange>((resolve, reject) => {
    // A fresh connection for every request (agent: false): no socket, and nothing else, is shared
    // with the Bynder client's agents or with another file's host. Plain http reaches loopback only.
    const request = (secure ? https : http).request(url, {
      method: 'GET',
      headers: REQUEST_HEADERS,
      agent: false,
      lookup: guardedLookup(options.lookup, { loopbackOnly: !secure }),
    });
    let response: http.IncomingMessage | undefined;
    let closed = false;
    const cut = (error: FileFetchError): void => {
      if (response) response.destroy(error);
      else request.destroy(error);
    };
    const onAbort = (): void =>
      cut(
        new FileUnavailableError(
          origin,
          'interrupted',
          'was not read to the end: the delivery ran out of time',
          'Nothing to fix: the record is tried again',
        ),
      );
    const connectTimer = setTimeout(
      () =>
        cut(
          new FileUnavailableError(
            origin,
            'connect_timeout',
            `could not be reached: ${url.host} did not accept a connection within ${connectTimeoutMs} ms; ${OWN_CDN_HINT}`,
            'Check that the host is online; the record is tried again',
          ),
        ),
      connectTimeoutMs,
    );
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearTimeout(connectTimer);
      options.signal?.removeEventListener('abort', onAbort);
      request.socket?.setTimeout(0);
      response?.destroy();
      request.destroy();
    };
    if (options.signal?.aborted === true) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const stalled = (): FileUnavailableError =>
      new FileUnavailableError(
        origin,
        'read_timeout',
        `stalled: ${url.host} sent nothing for ${readTimeoutMs} ms`,
        'Check that the file host is healthy; the record is tried again',
      );
    request.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        // Until the headers arrive; the body's silences are timed by streamBody, only while it
        // waits for bytes, so an upload that takes its time with a chunk never counts as a stall.
        socket.setTimeout(readTimeoutMs, () => cut(stalled()));
      });
    });
    request.on('response', (answer) => {
      response = answer;
      answer.socket.setTimeout(0);
      resolve({ response: answer, cut, close, stalled, readTimeoutMs });
    });
    // `on`, not `once`: a second error (a cut after the answer) must not be unhandled.
    request.on('error', (error) => {
      close();
      reject(describeConnectionFailure(error, url, origin));
    });
    request.end();
  });
}

/** The answer's headers checked, its first bytes read, and the rest streamed under the size limit. */
async function openBody(
  exchange: Exchange,
  url: URL,
  origin: FileOrigin,
  maxBytes: number,
): Promise<FileForUpload> {
  const { response } = exchange;
  const refuse = (problem: FileProblem, detail: string, fix: string): FileRefusedError => {
    exchange.close();
    return new FileRefusedError(origin, problem, detail, fix);
  };
  const limit = maxBytes.toLocaleString('en-US');
  const encoding = response.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw refuse(
      'encoded',
      `is sent compressed (Content-Encoding: ${encoding}), though the app asked for the file as it is`,
      'Serve the file itself, without compression on the fly',
    );
  }
  const declared = declaredLength(response.headers['content-length']);
  if (declared !== undefined && declared > maxBytes) {
    throw refuse(
      'too_large',
      `is ${declared.toLocaleString('en-US')} bytes, more than the ${limit} bytes the app uploads`,
      'Raise "Largest file to upload" in the app\'s Records settings, or link a smaller file',
    );
  }
  const contentType = response.headers['content-type']?.trim() || undefined;
  const fileName = fileNameOf(response.headers['content-disposition'], url);
  const denied =
    deniedByName(fileName) ?? (contentType === undefined ? undefined : deniedByContentType(contentType));
  if (denied !== undefined) throw refuse('denied_type', denied, DENIED_TYPE_FIX);

  const chunks = streamBody(exchange, origin, maxBytes, declared);
  // The first bytes are read before the file is handed over, so a program is refused by its
  // signature before any upload request.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < SIGNATURE_BYTES) {
    const next = await chunks.next();
    if (next.done === true) break;
    head.push(next.value);
    headBytes += next.value.length;
  }
  if (headBytes === 0) {
    await chunks.return(undefined);
    throw refuse('empty', 'is empty (the host sent no bytes)', 'Point the field at the file itself');
  }
  const signature = deniedBySignature(Buffer.concat(head));
  if (signature !== undefined) {
    await chunks.return(undefined);
    throw refuse('denied_type', signature, DENIED_TYPE_FIX);
  }
  // An iterator of its own rather than a generator: `return()` on a generator that was never
  // started skips its body, so a caller that drops the file unread would leave the connection open.
  const body: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: async () => {
      const first = head.shift();
      return first === undefined ? chunks.next() : { done: false, value: first };
    },
    return: async () => {
      head.length = 0;
      return chunks.return(undefined);
    },
  };
  return {
    fileName,
    ...(declared === undefined ? {} : { size: declared }),
    ...(contentType === undefined ? {} : { contentType }),
    body,
  };
}

/** The answer's bytes, as they arrive, until the end, the limit, a stall or a drop. */
async function* streamBody(
  exchange: Exchange,
  origin: FileOrigin,
  maxBytes: number,
  declared: number | undefined,
): AsyncGenerator<Uint8Array> {
  let received = 0;
  const pieces = (exchange.response as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const timer = setTimeout(() => exchange.cut(exchange.stalled()), exchange.readTimeoutMs);
      const next = await pieces.next().finally(() => clearTimeout(timer));
      if (next.done === true) return;
      const chunk = next.value;
      received += chunk.length;
      if (received > maxBytes) {
        // The host declared less than it sends, or nothing: stop reading at the limit.
        const error = new FileRefusedError(
          origin,
          'too_large',
          `grew past the ${maxBytes.toLocaleString('en-US')} bytes the app uploads while it was read${declared === undefined ? '' : ` (the host declared ${declared.toLocaleString('en-US')})`}; reading stopped there`,
          'Raise "Largest file to upload" in the app\'s Records settings, or link a smaller file',
        );
        exchange.cut(error);
        throw error;
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof FileRefusedError || error instanceof FileUnavailableError) throw error;
    throw new FileUnavailableError(
      origin,
      'interrupted',
      `was cut off after ${received.toLocaleString('en-US')}${declared === undefined ? '' : ` of ${declared.toLocaleString('en-US')}`} bytes: the connection closed before the end`,
      'Nothing to fix if it happens once: the record is tried again',
      { cause: error },
    );
  } finally {
    exchange.close();
  }
}

/** Content-Length as a number, or undefined when absent or not a plain byte count. */
function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  const length = Number(header.trim());
  return Number.isSafeInteger(length) ? length : undefined;
}

/**
 * The file's name: Content-Disposition's (`filename*` first, RFC 6266), else the last segment of
 * the final URL's path, else `file` with the extension the URL has. Only a base name is kept: no
 * directories, no control characters.
 */
export function fileNameOf(disposition: string | undefined, url: URL): string {
  const fromHeader = disposition === undefined ? undefined : dispositionName(disposition);
  const fromPath = decodeSafely(url.pathname.split('/').pop() ?? '');
  for (const candidate of [fromHeader, fromPath]) {
    const name = baseName(candidate ?? '');
    if (name !== '') return name;
  }
  const extension = extensionOf(url.pathname);
  return extension === undefined ? 'file' : `file.${extension}`;
}

function dispositionName(header: string): string | undefined {
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended?.[2] !== undefined) return decodeSafely(extended[2].trim());
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  return plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
}

function baseName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? '';
  return last
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A non-200, non-redirect answer: the record's link is wrong (4xx), or the host is in trouble. */
function statusError(status: number, url: URL, origin: FileOrigin): FileFetchError {
  if (status >= 500 || TRANSIENT_STATUSES.has(status)) {
    return new FileUnavailableError(
      origin,
      'http_status',
      `could not be read: ${url.host} answered ${status}`,
      'Nothing to fix if the host recovers: the record is tried again',
    );
  }
  if (status === 404 || status === 410) {
    return new FileRefusedError(
      origin,
      'not_found',
      `does not exist: ${url.host} answered ${status}`,
      'Correct the link in the field',
    );
  }
  if (status === 401 || status === 403) {
    return new FileRefusedError(
      origin,
      'access_denied',
      `is not public: ${url.host} answered ${status}, and the app never sends credentials or cookies`,
      'Make the file readable without signing in, or put a pre-signed link in the field',
    );
  }
  return new FileRefusedError(
    origin,
    'http_status',
    `could not be read: ${url.host} answered ${status}, not the file`,
    'Check the link in the field',
  );
}

/** A request that got no answer: why, and whether it may heal. */
function describeConnectionFailure(error: unknown, url: URL, origin: FileOrigin): FileFetchError {
  if (error instanceof FileRefusedError || error instanceof FileUnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' ? code : 'UNKNOWN';
  const options = { cause: error };
  if (text === PRIVATE_ADDRESS_CODE) {
    return new FileRefusedError(
      origin,
      'private_address',
      `is on ${url.hostname}, which resolves to this machine or a private network, where the app never connects`,
      NOT_PUBLIC_FIX,
      options,
    );
  }
  if (text === 'ENOTFOUND') {
    return new FileRefusedError(
      origin,
      'host_not_found',
      `is on ${url.hostname}, a host name that does not resolve (DNS)`,
      'Correct the host name in the link',
      options,
    );
  }
  if (text.startsWith('ERR_TLS') || text.includes('CERT')) {
    return new FileRefusedError(
      origin,
      'tls',
      `could not be fetched securely from ${url.host} (TLS: ${text})`,
      'Serve the file with a valid https certificate',
      options,
    );
  }
  return new FileUnavailableError(
    origin,
    'unreachable',
    `could not be reached: the connection to ${url.host} failed (${UNREACHABLE_CODES.has(text) ? text : `${text}, unexpected`}); ${OWN_CDN_HINT}`,
    'Check that the host is online; the record is tried again',
    options,
  );
}
