import { storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { performance } from 'node:perf_hooks';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { BynderDeadlineError } from '../../src/lib/bynder/errors';
import { startDeadline } from '../../src/lib/pacing/deadline';
import { ledgerKeyOf } from '../../src/lib/state/ledger';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { clockAhead, fakeClock } from '../helpers/fake-clock';
import { portalOf } from '../helpers/portal-origin';
import { silentLogger } from '../helpers/test-loggers';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// The applied ledger as a retry aid and nothing more (a completed batch leaves nothing that makes a
// later delivery skip its records), checkpointed while the batch runs (a cut invocation leaves its
// progress behind), and deliver() working to a time budget (a stalled write cannot hold it).

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const upserts = (ids: number[]) => ids.map((n) => ({ asset_id: assetId(n), description: `changed ${n}` }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** The assets written to, by the requests logged since the last clearRequests (some filter). */
const postedIds = (filter: (r: { status: number | undefined }) => boolean = () => true) =>
  emulator
    .requests(POST)
    .filter(filter)
    .map((r) => Number(/([0-9]+)\/$/.exec(r.path)?.[1]))
    .sort((a, b) => a - b);
const descriptionOf = (n: number) => emulator.snapshot().assets.find((a) => a.id === assetId(n))?.description;
const ledgerRow = (items: unknown[]) => storage.kvStore.get(ledgerKeyOf('sync-1', items));

/** An edit made in Bynder itself, after this app applied the batch. */
async function editInBynder(n: number): Promise<void> {
  await callEmulator(emulator, 'POST', `/api/v4/media/${assetId(n)}/`, {
    form: { description: 'edited in Bynder' },
  });
  await emulator.settle();
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 60 }));
  emulator.faults.clear();
  await configureApp(emulator.url);
});
afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
  BynderAssetSync.timeBudgetMsOverride = undefined;
});

describe('the applied ledger is a retry aid, never a cache', () => {
  it('leaves no ledger once a batch completes: the identical batch delivered later is sent whole', async () => {
    const batch = upserts([1, 2]);
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 500, times: 4 });
    expect(await deliver(batch, { attempt: 1 })).toMatchObject({ success: false, retryable: true });
    expect(await deliver(batch, { attempt: 2 })).toEqual({ success: true });

    await editInBynder(1);
    emulator.clearRequests();
    // OCP delivers the same batch again, as a new delivery (same sync, same items, minutes later).
    expect(await deliver(batch, { attempt: 1 })).toEqual({ success: true });
    await emulator.settle();
    expect(postedIds()).toEqual([1, 2]);
    expect(descriptionOf(1)).toBe('changed 1');
  });

  it('leaves no ledger after an answer OCP does not retry (retryable: false)', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    const batch = upserts([1, 2]);
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 401, times: 1 });
    expect(await deliver(batch)).toMatchObject({ success: false, retryable: false });

    await editInBynder(1);
    emulator.clearRequests();
    expect(await deliver(batch)).toEqual({ success: true });
    await emulator.settle();
    // Asset 2, parked in the outbox by the 401, is replayed first; then the batch is sent whole.
    expect(postedIds()).toEqual([1, 2, 2]);
    expect(descriptionOf(1)).toBe('changed 1');
  });

  it('trusts a ledger left for a retry for an hour at most, then sends the batch whole', async () => {
    const batch = upserts([1, 2]);
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 500, times: 4 });
    expect(await deliver(batch, { attempt: 1 })).toMatchObject({ success: false, retryable: true });
    expect((await ledgerRow(batch)).applied).toHaveLength(1);

    // OCP never came back for it; the same batch arrives again 61 minutes later.
    await editInBynder(1);
    BynderAssetSync.clockOverride = clockAhead(61 * 60_000);
    emulator.clearRequests();
    expect(await deliver(batch, { attempt: 1 })).toEqual({ success: true });
    await emulator.settle();
    expect(postedIds()).toEqual([1, 2]);
    expect(descriptionOf(1)).toBe('changed 1');
  });
});

describe('checkpoints while the batch runs', () => {
  it('stores accepted writes before the batch ends, so the retry of a cut invocation sends only the rest', async () => {
    const batch = upserts(range(1, 26));
    const key = ledgerKeyOf('sync-1', batch);
    // The last write stalls; the invocation is cut by OCP while it waits (simulated below).
    emulator.faults.add({
      match: `POST /api/v4/media/${assetId(26)}/`,
      stall: true,
      stallMs: 3_000,
      times: 1,
    });
    let firstEnded = false;
    const first = deliver(batch, { attempt: 1 }).finally(() => {
      firstEnded = true;
    });

    await vi.waitFor(
      async () => {
        const row = await storage.kvStore.get(key);
        expect(row.applied).toHaveLength(25);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(firstEnded).toBe(false); // still running: only a checkpoint can have written this
    const leftByTheCut = await storage.kvStore.get(key);
    await first;

    // The invocation died at the cut: what it did after (the last write, its end) never happened.
    // Its ledger stays; its lease (in the same row) is taken as ended, as OCP's retry of a cut
    // invocation comes after the lease expired (a retry inside it answers retryable, see
    // deliver-concurrency.test.ts).
    const { holder: _holder, until: _until, ...ledgerOnly } = leftByTheCut;
    await storage.kvStore.put(key, ledgerOnly, { ttl: 3_600 });
    emulator.clearRequests();
    expect(await deliver(batch, { attempt: 2 })).toEqual({ success: true });
    expect(postedIds()).toEqual([26]);
  });
});

describe('the time budget', () => {
  it('cuts a stalled write at the budget and hands the rest back retryable', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    BynderAssetSync.timeBudgetMsOverride = 5_000;
    const batch = upserts([1, 2, 3]);
    // The emulator closes the stalled socket itself after 12 s, so the test never waits on how long a
    // cut socket lingers; without a budget the write would end only then (and be retried).
    emulator.faults.add({
      match: `POST /api/v4/media/${assetId(2)}/`,
      stall: true,
      stallMs: 12_000,
      times: 1,
    });

    const started = performance.now();
    const result = await deliver(batch, { attempt: 1 });
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(9_000); // without a budget: 4 tries of 30 s
    expect(result).toEqual({
      success: false,
      retryable: true,
      failureReason:
        "the time budget of one delivery (5 s) ran out; what was not applied is left for OCP's retry; 2 of 3 records pending (time budget ran out); 1 applied",
    });
    await emulator.settle();
    expect([descriptionOf(1), descriptionOf(2), descriptionOf(3)]).toEqual([
      'changed 1',
      'original 2',
      'original 3',
    ]);

    BynderAssetSync.timeBudgetMsOverride = undefined;
    emulator.clearRequests();
    expect(await deliver(batch, { attempt: 2 })).toEqual({ success: true });
    // The emulator logs the stalled request of attempt 1 only when its socket closes: count answers.
    expect(postedIds((r) => r.status === 202)).toEqual([2, 3]);
  }, 30_000);

  it('starts no write that cannot finish inside the budget (time moved by the clock override)', async () => {
    // One request a second on a clock that moves only as the request budget waits: 60 writes
    // would need a minute, the budget is 45 s. Written without reading first, so every grant is a write.
    await configureApp(emulator.url, { requests_per_second: 1, change_detection: 'write_all' });
    const clock = fakeClock(Date.now());
    BynderAssetSync.clockOverride = clock;
    const batch = upserts(range(1, 60));
    emulator.clearRequests();
    const result = await deliver(batch, { attempt: 1 });
    await emulator.settle();

    const sent = emulator.requests(POST);
    expect(sent.every((r) => r.status === 202)).toBe(true); // nothing started was cut
    // Grants come 1,020 ms apart (the metaproperty listing took the first); a write starts only with
    // 2 s of the budget left, so at most the writes granted up to 43 s went, and no later one. How
    // many of those went depends on how long the kvStore's calls hold the writers while the clock
    // moves on (the SDK's local store answers each call after a timer), so only the bound is exact.
    const mostWrites = Math.floor((45_000 - 2_000) / 1_020);
    const applied = sent.length;
    expect(applied).toBeLessThanOrEqual(mostWrites);
    expect(applied).toBeGreaterThanOrEqual(mostWrites - 5);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('the time budget of one delivery (45 s) ran out');
    expect(result.failureReason).toContain(`${60 - applied} of 60 records pending`);
    expect(descriptionOf(applied + 1)).toBe(`original ${applied + 1}`);
  });

  it('starts no retry whose backoff leaves too little of the budget', async () => {
    // Budget 3 s on a clock moved only by the backoff sleeps; a start needs 750 ms left (a quarter).
    // Backoffs with the jitter pinned high: 495, 990, 1,980 ms: the third retry does not fit.
    const clock = fakeClock(Date.now());
    const api = new BynderClient({
      portalUrl: portalOf(emulator.url),
      credentials: { kind: 'permanent_token', token: TOKEN },
      logger: silentLogger,
      clock,
      random: () => 0.99,
      deadline: startDeadline(clock, 3_000),
    });
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(1)}/`, status: 503 });
    emulator.clearRequests();
    const failure = await api.updateMedia(assetId(1), { description: 'x' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BynderDeadlineError);
    expect(String(failure)).toContain('was not retried');
    expect(emulator.requests(POST).map((r) => r.status)).toEqual([503, 503, 503]);
  });
});
