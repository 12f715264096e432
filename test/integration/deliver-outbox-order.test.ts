import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { DeliverOutbox } from '../../src/jobs/DeliverOutbox';
import { readOutbox } from '../../src/lib/state/outbox';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// A replay is never sent after a newer write of the same key: while one worker's replay of a parked
// record is under way (its write slow to reach Bynder), another worker's batch with a newer event
// for that key waits (pending: OCP retries it) instead of writing first and being overwritten by the
// older, parked value. Bynder applies one asset's writes in the order they arrive.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const GET_MEDIA = 'GET /api/v4/media/';
const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 10 }));
  emulator.faults.clear();
  emulator.configure({ tokens: [{ token: TOKEN }] });
  await configureApp(emulator.url);
  emulator.clearRequests();
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('replays and newer writes across workers', () => {
  it('does not let a slow replay overwrite a newer write of the same asset', async () => {
    // Parked: the token was refused and OCP will not send the batch again.
    const warm = await deliver([{ asset_id: assetId(9), description: 'warm-up' }], { syncId: 'warm' });
    expect(warm).toEqual({ success: true });
    emulator.configure({ tokens: [] });
    await deliver([{ asset_id: assetId(3), description: 'parked' }], { syncId: 'old' });
    emulator.configure({ tokens: [{ token: TOKEN }] });
    expect((await readOutbox(storage.kvStore)).records).toHaveLength(1);

    // Worker A: the scheduled job replays it; its write reaches Bynder late.
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(3)}/`, delayMs: 2_000, times: 1 });
    emulator.clearRequests();
    const job = new DeliverOutbox({ jobId: 'job-1', scheduledAt: new Date(), parameters: {} });
    const replay = job.prepare({}).then((status) => job.perform(status));
    // Once A has read the asset (its write is next), worker B delivers a newer event for it.
    while (emulator.requests(GET_MEDIA).length === 0) await new Promise((resolve) => setImmediate(resolve));
    const first = await deliver([{ asset_id: assetId(3), description: 'newer' }], { syncId: 'new' });
    await replay;
    await emulator.settle();
    // B waited for A's replay (OCP retries it) rather than being overwritten by it.
    expect(first).toMatchObject({ success: false, retryable: true });
    expect(first.failureReason).toContain('an older parked record of this key is being delivered');
    const newer = await deliver([{ asset_id: assetId(3), description: 'newer' }], {
      syncId: 'new',
      attempt: 2,
    });
    await emulator.settle();
    expect(newer).toEqual({ success: true });
    expect(assetById(assetId(3))?.description).toBe('newer');
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });
});
