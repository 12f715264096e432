import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { storage, type SubmittedFormData } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { DeliverOutbox } from '../../src/jobs/DeliverOutbox';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { readOutbox } from '../../src/lib/state/outbox';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { systemClock } from '../../src/lib/runtime-ports';
import { assetId, configureApp, deliver, portalSeed, TOKEN, watchWarnings } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// Records OCP will not deliver again (a `retryable: false` answer with records pending, or an attempt
// that may be OCP's last) are parked in the outbox and delivered later by the app itself.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const DELETE = 'DELETE /api/v4/media/:id/';
const WITHOUT_REMOVE = [{ token: TOKEN, roles: ['MEDIAEDIT'] }];

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);
const upserts = (ns: number[], text = 'new') =>
  ns.map((n) => ({ asset_id: assetId(n), description: `${text} ${n}` }));

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 220 }));
  emulator.faults.clear();
  emulator.configure({ tokens: [{ token: TOKEN }] });
  await configureApp(emulator.url, { delete_policy: 'delete' });
  emulator.clearRequests();
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('the outbox', () => {
  it('sends the upserts of a batch whose delete lacks the remove right, parks the delete, and deletes once the right is granted', async () => {
    emulator.configure({ tokens: WITHOUT_REMOVE });
    const batch = [
      ...upserts([1, 2, 3, 4, 5, 6]),
      { asset_id: assetId(13), _isDeleted: true },
      ...upserts([7, 8, 9, 10, 11, 12]),
    ];
    const result = await deliver(batch);
    await emulator.settle();

    expect(result).toMatchObject({ success: false, retryable: false });
    expect(result.failureReason).toContain('1 of 13 records pending');
    expect(result.failureReason).toMatch(/12 applied$/);
    expect(emulator.requests(POST).filter((r) => r.status === 202)).toHaveLength(12);
    expect(assetById(assetId(12))?.description).toBe('new 12');
    const parked = await readOutbox(storage.kvStore);
    expect(parked.records.map((r) => [r.key, r.cause])).toEqual([
      [assetId(13), 'not sent: permission missing'],
    ]);

    // The right is granted; the next delivery (any sync) delivers the parked delete first.
    emulator.configure({ tokens: [{ token: TOKEN }] });
    emulator.clearRequests();
    expect(await deliver(upserts([20]), { syncId: 'other' })).toEqual({ success: true });
    await emulator.settle();
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204]);
    expect(assetById(assetId(13))).toBeUndefined();
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });

  it('holds back only the records writing is_public when the user lacks MARKPUBLIC, and sends the rest', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    emulator.configure({ tokens: [{ token: TOKEN, roles: ['MEDIAEDIT', 'MEDIAREMOVE'] }] });
    const batch = [
      { asset_id: assetId(1), description: 'public 1', is_public: true },
      ...upserts([2, 3, 4, 5, 6]),
      { asset_id: assetId(7), description: 'public 7', is_public: true },
    ];
    const result = await deliver(batch);
    await emulator.settle();

    // One 403 (asset 1); asset 7 is held back without a request; every other write is sent.
    expect(emulator.requests(POST).map((r) => r.status)).toEqual([403, 202, 202, 202, 202, 202]);
    for (const n of [2, 3, 4, 5, 6]) expect(assetById(assetId(n))?.description).toBe(`new ${n}`);
    expect(assetById(assetId(1))?.description).toBe('original 1');
    expect(result).toMatchObject({ success: false, retryable: false });
    expect(result.failureReason).toContain('2 of 7 records pending');
    expect(result.failureReason).toContain('MARKPUBLIC');
    expect(result.failureReason).toMatch(/5 applied$/);
    const parked = await readOutbox(storage.kvStore);
    expect(parked.records.map((r) => [r.key, r.cause])).toEqual([
      [assetId(1), 'not sent: permission missing'],
      [assetId(7), 'not sent: permission missing'],
    ]);
  });

  it('drops a parked record when a later batch applies a newer event for its key', async () => {
    emulator.configure({ tokens: WITHOUT_REMOVE });
    await deliver([{ asset_id: assetId(3), _isDeleted: true }]);
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(1);

    // A newer upsert of the same asset is applied: the parked delete is superseded, never sent.
    expect(await deliver(upserts([3], 'newer'), { syncId: 'later' })).toEqual({ success: true });
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
    emulator.configure({ tokens: [{ token: TOKEN }] });
    emulator.clearRequests();
    await deliver(upserts([4]));
    await emulator.settle();
    expect(emulator.requests(DELETE)).toEqual([]);
    expect(assetById(assetId(3))?.description).toBe('newer 3');
  });

  it('ends with every record in Bynder when a block outlasts every attempt, without OCP delivering again', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    emulator.faults.add({ match: POST, status: 429, times: 1 });
    const batch = upserts([1, 2, 3, 4]);
    for (const attempt of [1, 2, 3, 4]) {
      const answer = await deliver(batch, { attempt });
      expect(answer).toMatchObject({ success: false, retryable: true });
    }
    const block = await readRateLimitBlock(storage.kvStore, systemClock);
    expect(block).toBeDefined();
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(4);

    // The block lifts; some later batch of another sync starts by delivering the parked records.
    BynderAssetSync.clockOverride = clockAhead((block?.blockedUntil ?? 0) - Date.now() + 1_000);
    expect(await deliver(upserts([30]), { syncId: 'other' })).toEqual({ success: true });
    await emulator.settle();
    for (const n of [1, 2, 3, 4]) expect(assetById(assetId(n))?.description).toBe(`new ${n}`);
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });

  it('counts what earlier attempts applied, parks only the rest (by key) and says so, when a block outlasts the retries', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    // Attempt 1 applies assets 1 and 2, then meets the 429 on asset 3; attempts 2-4 meet the block.
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(3)}/`, status: 429, times: 1 });
    const batch = upserts([1, 2, 3, 4]);
    let answer = await deliver(batch, { attempt: 1 });
    for (const attempt of [2, 3, 4]) answer = await deliver(batch, { attempt });

    expect(answer).toMatchObject({ success: false, retryable: true });
    expect(answer.failureReason).toContain('2 of 4 records pending');
    expect(answer.failureReason).toContain('2 applied');
    expect(answer.failureReason).toContain('2 parked in the outbox');
    const parked = await readOutbox(storage.kvStore);
    expect(parked.records.map((r) => r.key)).toEqual([assetId(3), assetId(4)]);

    // Once the block lifts, only the parked two are sent: nothing is written twice.
    const block = await readRateLimitBlock(storage.kvStore, systemClock);
    BynderAssetSync.clockOverride = clockAhead((block?.blockedUntil ?? 0) - Date.now() + 1_000);
    expect(await deliver(upserts([30]), { syncId: 'other' })).toEqual({ success: true });
    await emulator.settle();
    const accepted = emulator.requests(POST).filter((r) => r.status === 202);
    expect(accepted.map((r) => r.path)).toEqual([1, 2, 3, 4, 30].map((n) => `/api/v4/media/${assetId(n)}/`));
    for (const n of [1, 2, 3, 4]) expect(assetById(assetId(n))?.description).toBe(`new ${n}`);
  });

  it("replays the outbox inside the invocation's time budget, not with a budget of its own", async () => {
    emulator.configure({ tokens: WITHOUT_REMOVE });
    await deliver([2, 3].map((n) => ({ asset_id: assetId(n), _isDeleted: true })));
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(2);
    emulator.configure({ tokens: [{ token: TOKEN }] });
    emulator.clearRequests();
    // Each DELETE Bynder receives takes 30 s of the clock deliver() runs on: the replay of the two
    // parked deletes spends 60 s, more than the 45 s budget of the whole invocation.
    BynderAssetSync.clockOverride = {
      ...systemClock,
      now: () => systemClock.now() + 30_000 * emulator.requests(DELETE).length,
    };

    const result = await deliver(upserts([20]), { syncId: 'other' });
    await emulator.settle();
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204, 204]);
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
    // The budget was spent by the replay: the batch's own write is not started past it.
    expect(emulator.requests(POST)).toEqual([]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toMatch(/^the time budget of one delivery \(45 s\) ran out/);
    expect(result.failureReason).toContain('1 of 1 records pending (time budget ran out)');
  });

  it('delivers the parked records from the scheduled job, with no batch arriving', async () => {
    emulator.configure({ tokens: WITHOUT_REMOVE });
    await deliver([{ asset_id: assetId(5), _isDeleted: true }]);
    emulator.configure({ tokens: [{ token: TOKEN }] });
    emulator.clearRequests();

    const job = new DeliverOutbox({ jobId: 'job-1', scheduledAt: new Date(), parameters: {} });
    const status = await job.perform(await job.prepare({}));
    await emulator.settle();
    expect(status.complete).toBe(true);
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204]);
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });

  it('reports what the scheduled job did, a failed replay included', async () => {
    emulator.configure({ tokens: WITHOUT_REMOVE });
    await deliver([{ asset_id: assetId(5), _isDeleted: true }]);
    emulator.configure({ tokens: [{ token: TOKEN }] });
    // The stored credentials are gone: the replay fails before it sends anything.
    await storage.secrets.delete('connection');
    emulator.clearRequests();
    const warnings = watchWarnings();

    const job = new DeliverOutbox({ jobId: 'job-2', scheduledAt: new Date(), parameters: {} });
    const failed = await job.perform(await job.prepare({}));
    const warned = warnings.lines().join('\n');
    warnings.restore();
    expect(emulator.requests(DELETE)).toEqual([]);
    expect(failed).toMatchObject({ complete: true, state: { tried: 1, remaining: 1, success: false } });
    expect(failed.state.failureReason).toMatch(/token/i);
    expect(warned).toMatch(/Outbox job: 1 parked record tried, not all delivered: .*; 1 still parked/);

    // Fixed: the next run delivers and says so.
    await storage.secrets.put('connection', { token: TOKEN });
    const done = await job.perform(await job.prepare({}));
    await emulator.settle();
    expect(done).toMatchObject({ complete: true, state: { tried: 1, remaining: 0, success: true } });
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204]);
  });

  it('answers Save without waiting for a slow Bynder; the parked records go with the next run', async () => {
    const GRANTED = 'granted-token-7d41c2';
    emulator.configure({ tokens: [...WITHOUT_REMOVE, { token: GRANTED }] });
    await deliver([{ asset_id: assetId(6), _isDeleted: true }]);
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(1);
    emulator.clearRequests();
    // Bynder is slow to answer deletes: a Save that replayed the outbox first would wait on it.
    emulator.faults.add({ match: DELETE, stall: true, stallMs: 3_000, times: 1 });

    const form: SubmittedFormData = { portal: emulator.url, auth_method: 'permanent_token', token: GRANTED };
    const answer = await new Lifecycle().onSettingsForm('connection', 'save', form);
    // Save sent only its connection test: no replay, so nothing of the outbox waited on Bynder.
    expect(emulator.requests(DELETE)).toEqual([]);
    const toast = answer?.getResponse('connection').toasts?.[0];
    expect(toast?.intent).toBe('success');
    expect(toast?.message).toContain(
      '1 parked record goes to Bynder with the next delivery, or within 15 minutes.',
    );
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(1);

    // The scheduled job (or the next delivery) sends them.
    emulator.faults.clear();
    const job = new DeliverOutbox({ jobId: 'job-3', scheduledAt: new Date(), parameters: {} });
    await job.perform(await job.prepare({}));
    await emulator.settle();
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204]);
    expect(assetById(assetId(6))).toBeUndefined();
  });
});
