import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';

import { BynderClient, type BynderClientOptions, type ResponseInfo } from '../../src/lib/bynder/BynderClient';
import { BynderApiError, BynderRateLimitError, BynderUnavailableError } from '../../src/lib/bynder/errors';
import { findErrorCode } from '../../src/lib/bynder/transport-failure';
import { captureFailure } from '../helpers/capture-failure';
import { seededAssetIds } from '../helpers/seeded-asset-ids';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';

// Transient failures injected into the emulator: which are retried (5xx, timeouts, resets, refused
// connections), which are not (other 4xx, 429), and how many requests each costs. Backoff jitter is
// pinned to 0 so the retries run back to back; the count of requests is what is asserted.

const TOKEN = 'faults-permanent-token-6b2d4e';
const emulator = useEmulator({ seed: 'examples/portal.json', tokens: [{ token: TOKEN }], applyDelayMs: 0 });

const said: string[] = [];
const attempts: ResponseInfo[] = [];
let beforeRequestCalls = 0;
function client(options: Partial<BynderClientOptions> = {}): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token: TOKEN },
    logger: recordingLogger(said),
    random: () => 0,
    beforeRequest: () => {
      beforeRequestCalls += 1;
      return Promise.resolve();
    },
    onResponse: (info) => attempts.push(info),
    ...options,
  });
}
const failureOf = (promise: Promise<unknown>): Promise<Error> => captureFailure(promise, said);
const statuses = (route = 'GET /api/v4/media/:id/') => emulator.requests({ route }).map((r) => r.status);
const assetAt = seededAssetIds(emulator);
const anAsset = () => assetAt(0);

beforeEach(() => {
  emulator.clearRequests();
  emulator.faults.clear();
  attempts.length = 0;
  beforeRequestCalls = 0;
});

describe('retries: 5xx, timeouts and resets only', () => {
  it.each([500, 502, 503, 504])('retries a %i and succeeds when Bynder recovers', async (status) => {
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', status, times: 2 });
    const asset = await client().getMedia(anAsset());
    expect(asset.id).toBe(anAsset());
    expect(statuses()).toEqual([status, status, 200]);
    expect(beforeRequestCalls).toBe(3);
    expect(attempts.map((a) => a.status)).toEqual([status, status, 200]);
  });

  it('stops after 3 retries with a BynderUnavailableError carrying the status', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 503 });
    const linesBefore = said.length;
    const error = await failureOf(client().updateMedia(anAsset(), { description: 'never applied' }));
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(error.message).toContain('Bynder POST /api/v4/media/{id}/ is unavailable: 503');
    expect(statuses('POST /api/v4/media/:id/')).toEqual([503, 503, 503, 503]);
    expect(said.slice(linesBefore).filter((line) => /retry \d of 3 in \d+ ms/.test(line))).toHaveLength(3);
  });

  it('retries a modify after a 502 and applies it once', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 502, times: 1 });
    await client().updateMedia(anAsset(), { description: 'applied after a 502' });
    await emulator.settle();
    expect(statuses('POST /api/v4/media/:id/')).toEqual([502, 202]);
    expect(emulator.snapshot().assets.find((a) => a.id === anAsset())?.description).toBe(
      'applied after a 502',
    );
  });

  it.each([400, 404, 409, 422])('never retries a %i', async (status) => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status });
    const error = await failureOf(client().updateMedia(anAsset(), { description: 'x' }));
    expect(error).toBeInstanceOf(BynderApiError);
    expect(error).toMatchObject({ status, retryable: false });
    expect(statuses('POST /api/v4/media/:id/')).toEqual([status]);
  });

  it('honours retries: 0', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', status: 500 });
    expect(await failureOf(client({ retries: 0 }).getMedia(anAsset()))).toBeInstanceOf(
      BynderUnavailableError,
    );
    expect(statuses()).toEqual([500]);
  });
});

describe('429: surfaced at once, never retried into the block', () => {
  it('turns an injected 429 into a BynderRateLimitError after exactly one request', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 429 });
    const error = await failureOf(client().updateMedia(anAsset(), { description: 'x' }));
    expect(error).toBeInstanceOf(BynderRateLimitError);
    expect(error).toMatchObject({ status: 429, retryable: true });
    expect(error.message).toContain('Bynder POST /api/v4/media/{id}/ failed with 429');
    expect(emulator.requests()).toHaveLength(1);
  });

  it("stops at the emulator's own rate limit with one 429 and no retry", async () => {
    emulator.configure({ rateLimit: { limit: 3, windowMs: 60_000, quietMs: 60_000 } });
    try {
      const shared = client();
      for (let i = 0; i < 3; i += 1) await shared.getMedia(anAsset());
      expect(await failureOf(shared.getMedia(anAsset()))).toBeInstanceOf(BynderRateLimitError);
      expect(statuses()).toEqual([200, 200, 200, 429]);
    } finally {
      emulator.configure({ rateLimit: false });
    }
  });
});

describe('no answer: timeouts, resets, refused connections', () => {
  it('ends a stalled answer as "timed out" and retries it', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', stall: true, times: 1 });
    const asset = await client({ timeoutMs: 1_000 }).getMedia(anAsset());
    expect(asset.id).toBe(anAsset());
    expect(attempts.map((a) => a.status)).toEqual([undefined, 200]);
    expect(said.some((line) => line.includes('timed out after 1000 ms'))).toBe(true);
  });

  it('gives up on a portal that keeps stalling with BynderUnavailableError "timed out"', async () => {
    emulator.faults.add({ match: 'GET /api/v4/metaproperties/', stall: true });
    const error = await failureOf(client({ timeoutMs: 200, retries: 1 }).testConnection());
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error.message).toBe(
      'Bynder GET /api/v4/metaproperties/ is unavailable: timed out after 200 ms without an answer',
    );
    expect(beforeRequestCalls).toBe(2);
    expect(attempts.map((a) => a.status)).toEqual([undefined, undefined]);
  });

  it('retries a connection reset', async () => {
    emulator.faults.add({ match: 'DELETE /api/v4/media/:id/', reset: true, times: 1 });
    const id = assetAt(1);
    await expect(client().deleteMedia(id)).resolves.toBeUndefined();
    expect(attempts.map((a) => a.status)).toEqual([undefined, 204]);
    expect(emulator.snapshot().trash.some((a) => a.id === id)).toBe(true);
  });

  it('reports a reset that persists as BynderUnavailableError with a sanitized cause', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', reset: true });
    const error = await failureOf(client({ retries: 2 }).getMedia(anAsset()));
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error.message).toContain('the connection was reset');
    expect(attempts).toHaveLength(3);
    // The cause keeps the code but none of axios's request config (headers, URL with query, body).
    expect(error.cause).toBeInstanceOf(Error);
    expect(Object.keys(error.cause as object)).not.toContain('config');
    expect(String(error.cause)).toMatch(/ECONNRESET|socket hang up/);
    expect(findErrorCode(error)).toBe('ECONNRESET');
  });

  it('retries a refused connection, then says so', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failureOf(
      client({ portalUrl: portalOf(`http://127.0.0.1:${port}`), retries: 2 }).testConnection(),
    );
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error.message).toContain('the connection was refused');
    expect(beforeRequestCalls).toBe(3);
  });
});

describe('redaction', () => {
  // Redaction across this file: every log line, error, and error cause.
  // Runs last in this file, over everything the tests above made the client say.
  it('never shows a secret in a log line, an error message, its JSON or its inspection', () => {
    expect(said.length).toBeGreaterThan(0);
    for (const text of said) expect(text).not.toContain(TOKEN);
  });
});
