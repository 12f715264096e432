import { beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { takeBatchLease } from '../../src/lib/state/batch-lease';
import { ledgerKeyOf } from '../../src/lib/state/ledger';
import { readRejectionLog } from '../../src/lib/state/rejection-log';
import { systemClock } from '../../src/lib/runtime-ports';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Several deliver() invocations at once, as OCP's workers run them, sharing only the install's
// kvStore (the SDK's public storage): none may send a batch another is sending, and none may lose
// another's entries in a shared row.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 30 }));
  emulator.faults.clear();
  await configureApp(emulator.url);
  emulator.clearRequests();
});

describe('concurrent deliveries', () => {
  it('sends a batch once when two invocations deliver it at the same time; the other answers retryable', async () => {
    const batch = Array.from({ length: 6 }, (_, i) => ({ asset_id: assetId(i + 1), description: `v ${i}` }));
    const results = await Promise.all([deliver(batch), deliver(batch)]);
    await emulator.settle();

    // Each asset written once: the second invocation sent nothing.
    expect(emulator.requests(POST)).toHaveLength(6);
    const answers = results.map((r) => r.success).sort();
    expect(answers).toEqual([false, true]);
    const held = results.find((r) => !r.success);
    expect(held).toMatchObject({ success: false, retryable: true });
    expect(held?.failureReason).toContain('Another invocation is delivering this same batch');

    // Released at the end: OCP's retry of the same batch is not held back.
    expect(await deliver(batch, { attempt: 2 })).toEqual({ success: true });
  });

  it("delivers on an attempt that may be OCP's last although an invocation that died still holds the lease", async () => {
    const batch = Array.from({ length: 4 }, (_, i) => ({
      asset_id: assetId(i + 1),
      description: `late ${i}`,
    }));
    // An invocation took the lease and was cut by the platform: it never releases it.
    expect(
      (await takeBatchLease(storage.kvStore, ledgerKeyOf('sync-1', batch), systemClock)).lease,
    ).toBeDefined();

    // Early attempts respect the lease: OCP delivers again.
    expect(await deliver(batch, { attempt: 1 })).toMatchObject({ success: false, retryable: true });
    expect(emulator.requests(POST)).toHaveLength(0);
    // An attempt that may be the last must not end with nothing sent: nobody would send the records.
    expect(await deliver(batch, { attempt: 3 })).toEqual({ success: true });
    await emulator.settle();
    expect(emulator.requests(POST)).toHaveLength(4);
  });

  it('keeps every rejection when 12 batches with one rejection each end at once', async () => {
    await primeFieldModel();
    // Rejected while planning, with the field model cached: all 12 write the log in the same moment.
    const batches = Array.from({ length: 12 }, (_, i) => [
      { asset_id: assetId(i + 13), campaign: `Nope${i}` },
    ]);
    const results = await Promise.all(batches.map((b, i) => deliver(b, { syncId: `sync-${i}` })));
    expect(results.every((r) => r.success === false && r.retryable === false)).toBe(true);

    const log = await readRejectionLog(storage.kvStore);
    expect(log.map((e) => e.key).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => assetId(i + 13)).sort(),
    );
  });

  it('keeps every first writer of a new shared row (the store creates a missing row without a check)', async () => {
    await primeFieldModel();
    // Two batches whose first rejections are written at the same moment into a log that does not exist yet.
    const results = await Promise.all([
      deliver([{ asset_id: assetId(1), campaign: 'Nope-a' }], { syncId: 'a' }),
      deliver([{ asset_id: assetId(2), campaign: 'Nope-b' }], { syncId: 'b' }),
    ]);
    expect(results.map((r) => r.retryable)).toEqual([false, false]);
    const log = await readRejectionLog(storage.kvStore);
    expect(log.map((e) => e.key).sort()).toEqual([assetId(1), assetId(2)]);
  });
});

/** One delivered batch, so the field model is cached and later batches reach their end together. */
async function primeFieldModel(): Promise<void> {
  expect(await deliver([{ asset_id: assetId(30), description: 'primed' }], { syncId: 'prime' })).toEqual({
    success: true,
  });
}
