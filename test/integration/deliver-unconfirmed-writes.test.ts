import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { logger } from '@zaiusinc/app-sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { MAX_UNCONFIRMED_WRITES } from '../../src/lib/delivery/execute';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// "200 is not success": a portal address that reaches a login page or a proxy instead of Bynder may
// answer writes with 200 and an HTML page, 200 with an error envelope, or 202 with HTML on a delete.
// A write is applied only on Bynder's own success answer (modify: 202 with its envelope; delete:
// 204; an already-gone delete: 404). A loopback server in front of the emulator answers the writes
// as such a portal does and passes every other request (the metaproperty listing) through.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });

interface WriteAnswer {
  status: number;
  contentType: string;
  body: string;
}
const SESSION_EXPIRED: WriteAnswer = {
  status: 200,
  contentType: 'text/html',
  body: '<!doctype html><html><body><h1>Your session has expired</h1><form action="/login"></form></body></html>',
};
let writeAnswer: WriteAnswer | undefined;
let writesSeen = 0;
let front: Server;
let frontUrl: string;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const isWrite = (req.method === 'POST' || req.method === 'DELETE') && req.url?.startsWith('/api/v4/media/');
  if (isWrite && writeAnswer) {
    writesSeen += 1;
    res.writeHead(writeAnswer.status, { 'Content-Type': writeAnswer.contentType });
    res.end(writeAnswer.body);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const passed = await fetch(`${emulator.url}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    ...(body === '' ? {} : { body }),
  });
  const text = await passed.text();
  res.writeHead(passed.status, { 'Content-Type': passed.headers.get('content-type') ?? 'text/plain' });
  res.end(text);
}

beforeAll(async () => {
  front = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => front.close(resolve));
});

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(() => {
  emulator.seed(portalSeed());
  writeAnswer = undefined;
  writesSeen = 0;
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('a write is applied only on the answer Bynder gives on success', () => {
  it('a 200 "session expired" page on modify leaves the record pending, not applied', async () => {
    await configureApp(frontUrl);
    writeAnswer = SESSION_EXPIRED;
    const result = await deliver([{ asset_id: assetId(1), description: 'new' }]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('1 of 1 records pending');
    expect(result.failureReason).toContain("did not give Bynder's success answer");
    expect(assetById(assetId(1))?.description).toBe('original 1');
  });

  it('a 200 carrying an error envelope is that error: a 400 rejects the record', async () => {
    await configureApp(frontUrl);
    writeAnswer = {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ statuscode: 400, message: 'Invalid value for metaproperty' }),
    };
    const result = await deliver([{ asset_id: assetId(1), description: 'new' }]);
    expect(result).toMatchObject({ success: false, retryable: false });
    expect(result.failureReason).toContain('1 of 1 records rejected');
    expect(result.failureReason).toContain('Invalid value for metaproperty');
  });

  it('a 202 with HTML on a delete leaves the record pending', async () => {
    await configureApp(frontUrl, { delete_policy: 'delete' });
    writeAnswer = { ...SESSION_EXPIRED, status: 202 };
    const result = await deliver([{ asset_id: assetId(2), _isDeleted: true }]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('1 of 1 records pending');
    expect(assetById(assetId(2))).toBeDefined();
  });

  it('a 200 with an empty body on modify is not success either', async () => {
    await configureApp(frontUrl);
    writeAnswer = { status: 200, contentType: 'text/plain', body: '' };
    const result = await deliver([{ asset_id: assetId(1), description: 'new' }]);
    expect(result).toMatchObject({ success: false, retryable: true });
  });

  it(`stops after ${MAX_UNCONFIRMED_WRITES} such answers in a batch, naming the portal and what it answered`, async () => {
    await configureApp(frontUrl, { max_in_flight: 1 });
    writeAnswer = SESSION_EXPIRED;
    const items = [1, 2, 3, 4, 5, 6].map((n) => ({ asset_id: assetId(n), description: `v${n}` }));
    const result = await deliver(items);
    expect(writesSeen).toBe(MAX_UNCONFIRMED_WRITES);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('6 of 6 records pending');
    expect(result.failureReason).toContain(frontUrl);
    expect(result.failureReason).toContain('answered 200 with an HTML page');
  });

  it("Bynder's own answers still count as applied through the same server", async () => {
    await configureApp(frontUrl, { delete_policy: 'delete' });
    const result = await deliver([
      { asset_id: assetId(1), description: 'new' },
      { asset_id: assetId(2), _isDeleted: true },
      { asset_id: assetId(999), _isDeleted: true },
    ]);
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(assetById(assetId(1))?.description).toBe('new');
  });
});
