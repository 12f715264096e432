import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A loopback file host for tests and the demo: files of any size generated on the fly (nothing is
 * stored, so a 1 GB file costs no disk and no memory), redirect chains, and slow or stalled
 * answers, for the app's file fetch to be tested against. See docs/emulator.md, "File host".
 *
 *   GET|HEAD /files/<size>/<name>   <size> bytes, or with a binary suffix: 512k, 100m, 1g
 *   GET /redirect/<n>?to=<url>       n redirects in a row, then to <url> (absolute or a path here)
 *
 * Query parameters of /files (all optional):
 *   delayMs=<ms>        wait before the headers
 *   stall=1             never answer (the socket stays open until the client gives up or stop())
 *   trickleBytes=<n>&trickleMs=<ms>   send the body n bytes at a time, one piece per ms
 *   stallAfter=<bytes>  send the headers and this many bytes, then nothing more
 *   chunked=1           no Content-Length (Transfer-Encoding: chunked), so only counting tells the size
 *   type=<mime>         Content-Type instead of the one the extension gives
 *   signature=<ext>     open the file with that type's first bytes (e.g. exe: "MZ") whatever its name
 *   status=<code>       answer that status and a short text instead of the file (404, 503, ...)
 * Of /redirect: status=301|302|303|307|308 (default 302); cookie=1 sets a session cookie with each
 * redirect (a client that sends it back shows in requests()).
 */

export interface FileHostOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Serve https with this key and certificate (PEM) instead of plain http. */
  tls?: { key: string; cert: string };
}

/** One request as the host saw it, headers included (to check that no credential was forwarded). */
export interface FileHostRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface RunningFileHost {
  /** e.g. 'http://127.0.0.1:40125' (no trailing slash; https with the `tls` option). */
  url: string;
  /** `${url}/files/<size>/<name>` with the given query. */
  fileUrl(size: number | string, name: string, query?: Record<string, string | number>): string;
  /** `${url}/redirect/<hops>?to=<target>`. */
  redirectUrl(hops: number, target: string, status?: number, options?: { cookie?: boolean }): string;
  requests(): FileHostRequest[];
  clearRequests(): void;
  /** Connections open now (a client that dropped a file must not keep one). */
  openConnections(): Promise<number>;
  stop(): Promise<void>;
}

/** One generated block, repeated with its index stamped in, so that no two blocks of a file are alike. */
const BLOCK_BYTES = 64 * 1024;
const SIZE_PATTERN = /^(\d+)([kmg]?)$/i;
const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** The largest generated file: 64 GiB is past any limit the app may set, and still a safe integer. */
const MAX_FILE_BYTES = 64 * 1024 ** 3;

/** The first bytes of each type, so sniffing a generated file finds the type its name says. */
const SIGNATURES: Readonly<Record<string, { type: string; magic: Buffer }>> = {
  jpg: { type: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) },
  jpeg: { type: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) },
  png: { type: 'image/png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  gif: { type: 'image/gif', magic: Buffer.from('GIF89a') },
  pdf: { type: 'application/pdf', magic: Buffer.from('%PDF-1.7\n') },
  exe: { type: 'application/x-msdownload', magic: Buffer.from('MZ') },
  sh: { type: 'application/x-sh', magic: Buffer.from('#!/bin/sh\n') },
  txt: { type: 'text/plain', magic: Buffer.alloc(0) },
};

/** Parses `<size>`: bytes, or a whole number with a k/m/g (binary) suffix. */
export function parseFileSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return undefined;
  const size = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  return Number.isSafeInteger(size) && size <= MAX_FILE_BYTES ? size : undefined;
}

/** The pseudo-random block of a file name (SHA-256 in counter mode): the same bytes every run. */
function baseBlock(name: string): Buffer {
  const block = Buffer.alloc(BLOCK_BYTES);
  for (let offset = 0, counter = 0; offset < BLOCK_BYTES; offset += 32, counter += 1) {
    createHash('sha256').update(`${name}:${counter}`).digest().copy(block, offset);
  }
  return block;
}

/**
 * The bytes of generated file `name` of `size` bytes, in pieces of at most 64 KiB: block i is the
 * name's block with i stamped into its first 8 bytes, and the type's signature opens the file.
 * Tests compute the same bytes (for hashes) with this function.
 */
export function* generatedFile(name: string, size: number, signature?: string): Generator<Buffer> {
  const base = baseBlock(name);
  const extension = signature ?? /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  const magic = SIGNATURES[extension]?.magic ?? Buffer.alloc(0);
  let offset = 0;
  for (let index = 0; offset < size; index += 1) {
    const block = Buffer.from(base);
    block.writeBigUInt64LE(BigInt(index), 8);
    if (index === 0) magic.copy(block, 0);
    const length = Math.min(BLOCK_BYTES, size - offset);
    yield length === BLOCK_BYTES ? block : block.subarray(0, length);
    offset += length;
  }
}

export async function startFileHost(options: FileHostOptions = {}): Promise<RunningFileHost> {
  const seen: FileHostRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const listener: http.RequestListener = (req, res) => {
    seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers } });
    void handle(req, res, later).catch(() => res.destroy());
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
  let stopping: Promise<void> | undefined;

  return {
    url,
    fileUrl: (size, name, query = {}) => {
      const search = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      return `${url}/files/${size}/${encodeURIComponent(name)}${search ? `?${search}` : ''}`;
    },
    redirectUrl: (hops, target, status, extra = {}) =>
      `${url}/redirect/${hops}?to=${encodeURIComponent(target)}${status ? `&status=${status}` : ''}${extra.cookie === true ? '&cookie=1' : ''}`,
    requests: () => [...seen],
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    clearRequests: () => void seen.splice(0),
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  later: (ms: number) => Promise<void>,
): Promise<void> {
  const request = new URL(req.url ?? '/', 'http://file-host.invalid');
  const [, kind, first, ...rest] = request.pathname.split('/');
  const query = request.searchParams;
  if (kind === 'redirect' && first !== undefined && rest.length === 0) return redirect(res, first, query);
  if (
    kind !== 'files' ||
    first === undefined ||
    rest.length !== 1 ||
    (req.method !== 'GET' && req.method !== 'HEAD')
  ) {
    return plain(res, 404, 'Not found: use /files/<size>/<name> or /redirect/<n>?to=<url>');
  }
  const size = parseFileSize(first);
  if (size === undefined) {
    return plain(
      res,
      400,
      `size "${first}" is not a byte count such as 1048576, 512k, 100m or 1g (at most 64g)`,
    );
  }
  const name = decodeURIComponent(rest[0] ?? '');
  if (query.get('stall') === '1') return; // never answered; stop() closes the socket
  const status = Number(query.get('status') ?? 200);
  if (status !== 200) return plain(res, status, `answered ${status} as asked`);
  const delayMs = Number(query.get('delayMs') ?? 0);
  if (delayMs > 0) await later(delayMs);
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  res.setHeader(
    'Content-Type',
    query.get('type') ?? SIGNATURES[extension]?.type ?? 'application/octet-stream',
  );
  if (query.get('chunked') !== '1') res.setHeader('Content-Length', String(size));
  res.writeHead(200);
  if (req.method === 'HEAD') return void res.end();
  res.flushHeaders();

  const stallAfter = query.has('stallAfter') ? Number(query.get('stallAfter')) : undefined;
  const trickleBytes = Number(query.get('trickleBytes') ?? 0);
  const trickleMs = Number(query.get('trickleMs') ?? 0);
  let sent = 0;
  for (const block of generatedFile(name, size, query.get('signature') ?? undefined)) {
    let piece = block;
    while (piece.length > 0) {
      if (res.destroyed) return;
      let take = trickleBytes > 0 ? Math.min(trickleBytes, piece.length) : piece.length;
      if (stallAfter !== undefined) take = Math.min(take, stallAfter - sent);
      if (take <= 0) return; // stalled mid-body: headers and stallAfter bytes sent, then silence
      const part = piece.subarray(0, take);
      piece = piece.subarray(take);
      sent += part.length;
      // Honour backpressure: a slow reader slows the generator instead of filling memory.
      if (!res.write(part)) {
        // Whichever comes first ends the wait, and takes the other listener with it: a listener
        // left on every wait would pile up over a large file.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.once('drain', done).once('close', done);
        });
      }
      if (trickleBytes > 0 && trickleMs > 0) await later(trickleMs);
    }
  }
  res.end();
}

function redirect(res: http.ServerResponse, hopsText: string, query: URLSearchParams): void {
  const hops = Number(hopsText);
  const target = query.get('to');
  const status = Number(query.get('status') ?? 302);
  if (!Number.isInteger(hops) || hops < 1 || target === null || ![301, 302, 303, 307, 308].includes(status)) {
    return plain(res, 400, 'use /redirect/<n>?to=<url>[&status=301|302|303|307|308] with n >= 1');
  }
  const cookie = query.get('cookie') === '1';
  const next =
    hops === 1
      ? target
      : `/redirect/${hops - 1}?to=${encodeURIComponent(target)}${query.has('status') ? `&status=${status}` : ''}${cookie ? '&cookie=1' : ''}`;
  res.writeHead(status, {
    Location: next,
    'Content-Length': '0',
    ...(cookie ? { 'Set-Cookie': `session=file-host-session-${hops}; Path=/` } : {}),
  });
  res.end();
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(text);
}
