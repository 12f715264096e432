import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { isLoopbackHost, isLoopbackPortalAllowed } from '../portal-url';
import { type Clock, type Logger, systemClock } from '../runtime-ports';
import { guardedLookup } from '../net/address-guard';
import { computeBackoffMs } from './backoff';
import type { RequestDeadline } from './client-options';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, MAX_S3_ANSWER_BYTES, USER_AGENT } from './constants';
import {
  BynderDeadlineError,
  BynderInvalidResponseError,
  BynderUnavailableError,
  BynderUploadError,
} from './errors';
import { describeRoute, UPLOAD_ENDPOINT_ROUTE, UPLOAD_INIT_ROUTE } from './routes';
import { describeTransportFailure } from './transport-failure';
import type { UploadInit } from './upload-types';

// Sends the upload's chunks to the S3 bucket Bynder names (`GET /api/upload/endpoint/`), as a
// browser-style POST Object (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
// multipart/form-data with the init's signed `multipart_params`, the chunk's key, and the bytes as
// the `file` field, last, as Bynder's SDKs send it.
//
// These requests are NOT Bynder requests, so they do not take from the install's request budget and
// are not held by the rate-limit guard: Bynder's limit (4,500 requests per 5 minutes per IP) is
// enforced by the firewall in front of the portal's API, and the bucket is AWS S3, another host
// behind no Bynder firewall. A 429 or 503 from S3 is S3 asking to slow down: backed off and
// retried here, never stored as Bynder's block. Every chunk is followed by its registration with
// Bynder, which does wait for the budget and the guard, so the chunks go no faster than the budget
// allows anyway (one budgeted request per 5 MiB).
//
// The bucket URL comes from Bynder's answer, yet is treated like any URL from outside: https only
// (plain http on loopback only while loopback portals are allowed, for the emulator), no user info,
// and every connection through the address guard, so it cannot reach this host or a private network.

export interface S3ChunkSenderOptions {
  logger: Logger;
  clock?: Clock;
  /** Idle time allowed per attempt (no byte sent or received for this long ends it). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx, 429, timeouts and resets. */
  retries?: number;
  random?: () => number;
  deadline?: RequestDeadline;
  /** Resolver for the bucket's host name (default dns.lookup); its answer passes the address guard. */
  lookup?: LookupFunction;
}

/** One chunk and where it goes. */
export interface S3Chunk {
  init: UploadInit;
  chunkNumber: number;
  /** Total chunks when the file's size is known (plupload's `chunks` field, as the JS SDK sends). */
  chunks?: number;
  bytes: Uint8Array;
  contentType?: string;
}

/** The multipart text around a chunk's bytes. */
interface Framing {
  boundary: string;
  head: Buffer;
  tail: Buffer;
}

type AttemptResult = { status: number; body: string } | { error: Error; retry: boolean };

let sharedAgents: { http: http.Agent; https: https.Agent } | undefined;

function agentsFor(lookup?: LookupFunction): { http: http.Agent; https: https.Agent } {
  if (lookup === undefined && sharedAgents) return sharedAgents;
  const guarded = guardedLookup(lookup);
  const agents = {
    http: new http.Agent({ keepAlive: true, lookup: guarded }),
    https: new https.Agent({ keepAlive: true, lookup: guarded }),
  };
  if (lookup === undefined) sharedAgents = agents;
  return agents;
}

/** The bucket URL, when it may be used; why not otherwise (the message names the URL's problem). */
export function checkBucketUrl(text: string): { ok: true; url: URL } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `"${text.slice(0, 200)}" is not a URL` };
  }
  // Plain http only to this machine, and only under the loopback switch (the emulator's stand-in).
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname) && isLoopbackPortalAllowed();
  if (url.protocol !== 'https:' && !loopbackHttp) {
    return { ok: false, problem: `${url.origin} is not https; the app sends files over https only` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, problem: `${url.origin} carries a user name or password` };
  }
  return { ok: true, url };
}

/** The text of S3's XML error (`<Code>`, `<Message>`), or undefined for any other body. */
function readS3Error(body: string): string | undefined {
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
  if (code === undefined) return undefined;
  const message = /<Message>([^<]{1,300})<\/Message>/.exec(body)?.[1];
  return message === undefined ? code : `${code}: ${message}`;
}

const FIELD_NAME = /^[\w.-]{1,100}$/;

export class S3ChunkSender {
  /** Requests sent to S3 so far, retries included. */
  public requests = 0;
  private readonly url: URL;
  private readonly route: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly random: () => number;
  private readonly agent: http.Agent;

  public constructor(
    endpoint: string,
    private readonly options: S3ChunkSenderOptions,
  ) {
    const checked = checkBucketUrl(endpoint);
    if (!checked.ok) {
      throw new BynderInvalidResponseError(
        describeRoute(UPLOAD_ENDPOINT_ROUTE),
        `the S3 bucket URL cannot be used: ${checked.problem}`,
      );
    }
    this.url = checked.url;
    // The bucket's origin names the route in messages: it comes from Bynder and holds no secret.
    this.route = `POST ${this.url.origin}${this.url.pathname} (S3)`;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.random = options.random ?? Math.random;
    const agents = agentsFor(options.lookup);
    this.agent = this.url.protocol === 'https:' ? agents.https : agents.http;
  }

  /** Sends one chunk, retrying 5xx, 429, timeouts and resets with backoff; throws what it means otherwise. */
  public async send(chunk: S3Chunk): Promise<void> {
    const framed = this.frame(chunk);
    for (let retriesUsed = 0; ; retriesUsed += 1) {
      const outcome = await this.attempt(framed, chunk.bytes);
      let failure: Error;
      let retry: boolean;
      if ('error' in outcome) {
        failure = outcome.error;
        retry = outcome.retry;
      } else if (outcome.status >= 200 && outcome.status < 300) {
        return;
      } else {
        const said = readS3Error(outcome.body) ?? `HTTP ${outcome.status}`;
        const what = `chunk ${chunk.chunkNumber}`;
        if (outcome.status >= 500 || outcome.status === 429 || outcome.status === 408) {
          failure = new BynderUnavailableError(
            this.route,
            `${what} answered ${outcome.status} ${said}; S3 is busy or having trouble, try again later`,
            outcome.status,
          );
          retry = true;
        } else {
          // S3 refused the chunk against the init's signed policy (expired, wrong key, too large):
          // asking again with the same policy cannot help; a new upload gets a new one.
          throw new BynderUploadError(this.route, `${what} refused with ${outcome.status} ${said}`, {
            fileAtFault: false,
          });
        }
      }
      if (!retry || retriesUsed >= this.retries) throw failure;
      const delayMs = computeBackoffMs(retriesUsed, { random: this.random });
      if (this.options.deadline?.allowsStart(delayMs) === false) {
        throw new BynderDeadlineError(this.route, `was not retried after "${failure.message}"`);
      }
      this.options.logger.warn(
        `${failure.message}; retry ${retriesUsed + 1} of ${this.retries} in ${delayMs} ms`,
      );
      await this.clock.sleep(delayMs);
    }
  }

  /** The multipart text around the chunk's bytes: the fields first, the file part's header, the end. */
  private frame(chunk: S3Chunk): Framing {
    const { init, chunkNumber } = chunk;
    const key = `${init.s3Filename}/p${chunkNumber}`;
    const fields: Array<[string, string]> = [
      ...Object.entries(init.multipartParams).filter(([name]) => name.toLowerCase() !== 'key'),
      ['key', key],
      // plupload's fields, as Bynder's JS SDK sends them; S3 ignores what its policy does not name.
      ['name', `${key.split('/').slice(-2).join('/')}`],
      ['chunk', String(chunkNumber)],
      ...(chunk.chunks !== undefined ? [['chunks', String(chunk.chunks)] as [string, string]] : []),
      ['Filename', key],
    ];
    for (const [name, value] of fields) {
      if (!FIELD_NAME.test(name) || /[\r\n]/.test(value)) {
        throw new BynderInvalidResponseError(
          describeRoute(UPLOAD_INIT_ROUTE),
          `multipart_params field "${name.slice(0, 100)}" cannot be sent in a form`,
        );
      }
    }
    const boundary = `----bynder-asset-sync-${randomBytes(12).toString('hex')}`;
    const parts = fields.map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    const fileType = /^[\w.+-]+\/[\w.+-]+$/.test(chunk.contentType ?? '')
      ? chunk.contentType
      : 'application/octet-stream';
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p${chunkNumber}"\r\nContent-Type: ${fileType}\r\n\r\n`,
    );
    return {
      boundary,
      head: Buffer.from(parts.join(''), 'utf8'),
      tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
    };
  }

  /** One POST: the answer (its body read up to 64 KiB), or what went wrong when none came. */
  private attempt({ boundary, head, tail }: Framing, bytes: Uint8Array): Promise<AttemptResult> {
    const deadline = this.options.deadline;
    if (deadline?.allowsStart() === false) {
      return Promise.reject(new BynderDeadlineError(this.route, 'was not sent'));
    }
    this.requests += 1;
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise<AttemptResult>((resolve) => {
      let timedOut = false;
      let cut = false;
      const request = transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(head.length + bytes.length + tail.length),
          'User-Agent': USER_AGENT,
        },
      });
      const onCut = () => {
        cut = true;
        request.destroy(new Error('cut by the time budget'));
      };
      deadline?.signal.addEventListener('abort', onCut, { once: true });
      const settle = (result: AttemptResult) => {
        deadline?.signal.removeEventListener('abort', onCut);
        resolve(result);
      };
      // Idle time, not the whole exchange: a large chunk on a slow link keeps sending.
      request.setTimeout(this.timeoutMs, () => {
        timedOut = true;
        request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
      });
      request.on('error', (error) => {
        if (cut) {
          settle({ error: new BynderDeadlineError(this.route, 'was cut unanswered'), retry: false });
          return;
        }
        const failure = describeTransportFailure(error, { timedOut, timeoutMs: this.timeoutMs });
        settle({ error: new BynderUnavailableError(this.route, failure.detail), retry: failure.retryable });
      });
      request.on('response', (response) => {
        const pieces: Buffer[] = [];
        let size = 0;
        response.on('data', (piece: Buffer) => {
          size += piece.length;
          if (size <= MAX_S3_ANSWER_BYTES) pieces.push(piece);
        });
        response.on('end', () =>
          settle({ status: response.statusCode ?? 0, body: Buffer.concat(pieces).toString('utf8') }),
        );
        response.on('error', (error) => request.emit('error', error));
      });
      request.write(head);
      request.write(bytes);
      request.end(tail);
    });
  }
}
