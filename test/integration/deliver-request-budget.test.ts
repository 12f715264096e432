import { beforeEach, describe, expect, it } from 'vitest';

import { ARRIVAL_JITTER_MS, busiestWindow } from '../../dev/bench/workers-bench';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
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

describe('deliver against the emulator: request budget', () => {
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
