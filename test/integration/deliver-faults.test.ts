import { storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { BLOCK_SKEW_MARGIN_MS, RATE_LIMIT_QUIET_MS } from '../../src/lib/pacing/rate-limit-block';
import { useEmulator } from '../helpers/use-emulator';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';

// deliver() when Bynder misbehaves: 5xx retried in-process then pending, a 429 stopping everything
// and blocking later invocations, a retried batch re-sending only what was pending, bad credentials.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const postsTo = (n: number) =>
  emulator.requests(POST).filter((r) => r.path === `/api/v4/media/${assetId(n)}/`);
const upserts = (ids: number[], text = 'changed') =>
  ids.map((n) => ({ asset_id: assetId(n), description: `${text} ${n}` }));
const descriptionOf = (n: number) => emulator.snapshot().assets.find((a) => a.id === assetId(n))?.description;

beforeEach(async () => {
  emulator.seed(portalSeed());
  emulator.faults.clear();
  await configureApp(emulator.url);
});
afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('deliver against the emulator: transient failures', () => {
  it('retries injected 5xx in-process and applies the write', async () => {
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(1)}/`, status: 503, times: 2 });
    emulator.clearRequests();
    const result = await deliver(upserts([1, 2]));
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(postsTo(1).map((r) => r.status)).toEqual([503, 503, 202]);
    expect(postsTo(2).map((r) => r.status)).toEqual([202]);
    expect(descriptionOf(1)).toBe('changed 1');
  });

  it('leaves what still fails after the retries pending, retryable, and applies the rest', async () => {
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 502 });
    emulator.clearRequests();
    const result = await deliver(upserts([1, 2, 3]));
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(true);
    expect(result.failureReason).toBe('1 of 3 records pending (Bynder unavailable); 2 applied');
    expect(postsTo(2).map((r) => r.status)).toEqual([502, 502, 502, 502]); // 1 + 3 retries
    expect([descriptionOf(1), descriptionOf(2), descriptionOf(3)]).toEqual([
      'changed 1',
      'original 2',
      'changed 3',
    ]);
  });

  it('sends on attempt 2 only what attempt 1 left pending', async () => {
    const batch = [...upserts([1, 2, 3, 4]), { asset_id: assetId(5), _isDeleted: true }];
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(3)}/`, status: 500, times: 4 });
    const first = await deliver(batch, { attempt: 1 });
    expect(first).toMatchObject({ success: false, retryable: true });

    emulator.clearRequests();
    const second = await deliver(batch, { attempt: 2 });
    await emulator.settle();
    expect(second).toEqual({ success: true });
    expect(emulator.requests(POST).map((r) => [r.path, r.status])).toEqual([
      [`/api/v4/media/${assetId(3)}/`, 202],
    ]);
    expect(descriptionOf(3)).toBe('changed 3');
  });

  it('re-sends a changed record on attempt 2 even if its key was applied before', async () => {
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 500, times: 4 });
    const first = await deliver(upserts([1, 2]), { attempt: 1 });
    expect(first).toMatchObject({ success: false, retryable: true });
    emulator.clearRequests();
    // Another batch (different content) for the same sync: its own ledger, nothing skipped.
    const result = await deliver(upserts([1, 2], 'newer'), { attempt: 2 });
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(2);
    expect(descriptionOf(1)).toBe('newer 1');

    // The first batch's own retry still finds its ledger: record 1 is skipped, only 2 is sent.
    // So the re-send above is the ledger telling the batches apart, not a ledger that is never read.
    emulator.clearRequests();
    const retry = await deliver(upserts([1, 2]), { attempt: 2 });
    await emulator.settle();
    expect(retry).toEqual({ success: true });
    expect(emulator.requests(POST).map((r) => r.path)).toEqual([`/api/v4/media/${assetId(2)}/`]);
  });
});

describe('deliver against the emulator: rate limit', () => {
  it('stops at the first 429, stores "blocked until", and sends nothing until the block has passed', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    emulator.faults.add({ match: POST, status: 429, times: 1 });
    emulator.clearRequests();
    const before = Date.now();
    const first = await deliver(upserts([1, 2, 3, 4, 5]));
    expect(first.success).toBe(false);
    expect(first.retryable).toBe(true);
    expect(first.failureReason).toContain('5 of 5 records pending');
    expect(first.failureReason).toContain('paused until');
    expect(emulator.requests(POST).map((r) => r.status)).toEqual([429]);

    const row = await storage.kvStore.get<{ blockedUntil: number }>(KV_ROWS.rateLimitBlock.key);
    expect(row.blockedUntil).toBeGreaterThanOrEqual(before + RATE_LIMIT_QUIET_MS);
    expect(row.blockedUntil).toBeLessThanOrEqual(Date.now() + RATE_LIMIT_QUIET_MS + BLOCK_SKEW_MARGIN_MS);

    // The next invocation, still inside the block: no request at all, everything handed back.
    emulator.clearRequests();
    const second = await deliver(upserts([1, 2, 3, 4, 5]), { attempt: 2 });
    expect(second).toMatchObject({ success: false, retryable: true });
    expect(second.failureReason).toContain(new Date(row.blockedUntil).toISOString());
    expect(emulator.requests()).toEqual([]);

    // Once the quiet period has passed, delivery resumes.
    BynderAssetSync.clockOverride = clockAhead(row.blockedUntil - Date.now() + 1_000);
    const third = await deliver(upserts([1, 2, 3, 4, 5]), { attempt: 3 });
    await emulator.settle();
    expect(third).toEqual({ success: true });
    expect(emulator.requests(POST).map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
  });

  it('stops sending when the emulator itself rate-limits, leaving the unsent records pending', async () => {
    await configureApp(emulator.url, { max_in_flight: 2 });
    await deliver(upserts([1])); // caches the field model, so the limit below counts writes only
    emulator.configure({ rateLimit: { limit: 3, windowMs: 60_000, quietMs: 60_000 } });
    emulator.clearRequests();
    const result = await deliver(upserts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    emulator.configure({ rateLimit: false });
    expect(result).toMatchObject({ success: false, retryable: true });
    const statuses = emulator.requests().map((r) => r.status);
    // The bulk read of the batch's assets and two writes accepted, then the first 429; with two in
    // flight at most one more 429 can already be on its way.
    expect(statuses.slice(0, 3)).toEqual([200, 202, 202]);
    expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(5);
  });
});

describe('deliver against the emulator: credentials', () => {
  it('fails without retry and tells the user to fix the token when Bynder refuses it, writing nothing', async () => {
    await configureApp(emulator.url, { token: 'wrong-token-value' });
    emulator.clearRequests();
    const result = await deliver(upserts([1, 2]));
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toMatch(/token/i);
    expect(result.failureReason).not.toContain('wrong-token-value');
    expect(emulator.requests(POST)).toEqual([]);
  });

  it('stops at a 401 during writes and marks the rest pending (not rejected), without retry', async () => {
    await deliver(upserts([1])); // field model cached
    emulator.configure({ tokens: [{ token: 'someone-else-token-4d8b' }] });
    emulator.clearRequests();
    const result = await deliver(upserts([2, 3, 4]));
    emulator.configure({ tokens: [{ token: TOKEN }] });
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toContain('refused the permanent token');
    expect(result.failureReason).toContain('3 of 3 records pending');
    expect(result.failureReason).not.toContain('rejected');
    expect(emulator.requests(POST).length).toBeLessThanOrEqual(5); // the first 401 stops the rest
  });
});
