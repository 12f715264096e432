import { storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ARRIVAL_JITTER_MS, busiestWindow } from '../../dev/bench/workers-bench';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { DELIVERY_TIME_BUDGET_MS } from '../../src/lib/pacing/deadline';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { fakeClock } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// The request budget, seen from Bynder's side: the emulator's arrival timestamps of every request
// deliver() made (metaproperty listing, lookups, writes, retries) never put more than
// requests_per_second starts into any 1-second window (less the arrival jitter). No timing is asserted, only the count.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const RPS = 5;

/**
 * The most arrivals in any window of 1 s less the arrival jitter: the emulator stamps arrivals in
 * this process, whose event loop may hold a start for tens of ms under load (see ARRIVAL_JITTER_MS).
 */
const busiestSecond = (times: readonly number[]) => busiestWindow(times, 1000 - ARRIVAL_JITTER_MS);

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 40 }));
  emulator.faults.clear();
  await configureApp(emulator.url, { requests_per_second: RPS, max_in_flight: 5 });
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('deliver against the emulator: request budget', () => {
  it('never waits for a request slot past the time budget: a slot too late is refused at once', async () => {
    // Another invocation's lease runs 50 s ahead (the budget is 45 s): waiting for the slot after it
    // would keep this invocation past its deadline, only to find the deadline passed.
    const clock = fakeClock(Date.now());
    BynderAssetSync.clockOverride = clock;
    const start = clock.now();
    await storage.kvStore.put(KV_ROWS.requestBudget.key, { next: start + 50_000, updates: 1 });
    emulator.clearRequests();

    const result = await deliver([{ asset_id: assetId(1), description: 'late' }]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('time budget');
    expect(emulator.requests()).toEqual([]);
    // Time moves only as deliver() waits: every wait it made ended inside its budget.
    expect(clock.now() - start).toBeLessThan(DELIVERY_TIME_BUDGET_MS);
    expect(clock.sleeps.every((ms) => ms < 50_000)).toBe(true);
  });

  it(`keeps every 1-second window at or under ${RPS} request starts for 30 records`, async () => {
    emulator.clearRequests();
    const items = Array.from({ length: 30 }, (_, i) => ({
      asset_id: assetId(i + 1),
      description: `budget ${i + 1}`,
    }));
    const result = await deliver(items);
    expect(result).toEqual({ success: true });
    const requests = emulator.requests();
    expect(emulator.requests('POST /api/v4/media/:id/')).toHaveLength(30);
    expect(requests.length).toBeGreaterThan(30); // plus the field model's listing requests
    expect(busiestSecond(requests.map((r) => r.at))).toBeLessThanOrEqual(RPS);
  });

  it('counts retries against the budget too', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 503, times: 4 });
    emulator.clearRequests();
    const items = Array.from({ length: 8 }, (_, i) => ({
      asset_id: assetId(i + 1),
      description: `retry ${i + 1}`,
    }));
    await deliver(items);
    const requests = emulator.requests();
    expect(requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(busiestSecond(requests.map((r) => r.at))).toBeLessThanOrEqual(RPS);
  });
});
