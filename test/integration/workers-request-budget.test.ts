import { storage } from '@zaiusinc/app-sdk';
import { afterEach, describe, expect, it } from 'vitest';

import { ARRIVAL_JITTER_MS, busiestWindow } from '../../dev/bench/workers-bench';
import { type LocalOcp, startLocalOcp } from '../../dev/cli/sync/workers/local-ocp';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { assetId, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Four real worker processes, each running the app's deliver() with its own module state, sharing
// only the stores the test process serves. What Bynder sees is read from the emulator's request log
// (its clock, arrival times): only counts per window are asserted, never how fast anything ran.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const RPS = 8;
const WORKERS = 4;
const BATCHES = 6;
const PER_BATCH = 12;

/**
 * The budget keeps any 9 starts at least 8 spacings apart less the 10 ms a start may trail its
 * slot: 1,010 ms at 8/s. Arrivals are stamped by the emulator in this process, which serves the
 * stores of four workers on two cores, so a start's way to the log varies by tens of ms of
 * event-loop lag (ARRIVAL_JITTER_MS): windows are counted that much short of a second, which the
 * lag cannot fill. Workers pacing on their own put about twice the budget in such a window.
 */
const JITTER_MS = ARRIVAL_JITTER_MS;

let ocp: LocalOcp | undefined;

afterEach(async () => {
  await ocp?.close();
  ocp = undefined;
});

async function deliverFromWorkers(perProcessPacing: boolean) {
  emulator.seed(portalSeed({ assets: BATCHES * PER_BATCH }));
  ocp = startLocalOcp(WORKERS, { perProcessPacing });
  await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: TOKEN });
  await storage.settings.put('records', { primary_key: 'asset_id', delete_policy: 'archive' });
  await storage.settings.put('throughput', { requests_per_second: String(RPS), max_in_flight: '5' });
  emulator.clearRequests();
  const pool = ocp.pool;
  const results = await Promise.all(
    Array.from({ length: BATCHES }, (_, b) =>
      pool.deliver({
        items: Array.from({ length: PER_BATCH }, (_unused, i) => ({
          asset_id: assetId(b * PER_BATCH + i + 1),
          description: `worker batch ${b + 1} record ${i + 1}`,
        })),
        attempt: 1,
        sync: { id: 'sync-workers', name: 'Assets to Bynder' },
      }),
    ),
  );
  return { results, arrivals: emulator.requests().map((r) => r.at), server: ocp.server };
}

describe(`${WORKERS} worker processes, one install budget of ${RPS} requests/s`, () => {
  it(`never puts more than the budget into any window of arrivals (1 s less ${JITTER_MS} ms)`, async () => {
    const { results, arrivals, server } = await deliverFromWorkers(false);
    expect(results).toEqual(Array.from({ length: BATCHES }, () => ({ success: true })));
    expect(emulator.requests('POST /api/v4/media/:id/')).toHaveLength(BATCHES * PER_BATCH);
    expect(busiestWindow(arrivals, 1000 - JITTER_MS)).toBeLessThanOrEqual(RPS);
    // A lease is one patch (a read and a compare-and-set write) for the writes of one batch here,
    // plus one for each worker's field-model listing and the row's creation: far fewer writes than
    // requests, even counting a lost compare-and-set as a write of its own.
    const budgetRowWrites = server.kvWritesByKey.get(KV_ROWS.requestBudget.key) ?? 0;
    expect(budgetRowWrites).toBeGreaterThan(0);
    expect(budgetRowWrites).toBeLessThanOrEqual(2 * (BATCHES + WORKERS) + 1);
  }, 60_000);

  it('with pacing per process (each worker keeping its own budget row) goes over it: the check can fail', async () => {
    const { arrivals } = await deliverFromWorkers(true);
    expect(busiestWindow(arrivals, 1000 - JITTER_MS)).toBeGreaterThan(RPS * 1.5);
  }, 60_000);
});
