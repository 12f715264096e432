import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { readOutbox } from '../../src/lib/state/outbox';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// A parked record is superseded only by what really replaces it, field by field, the way one batch
// merges a key's events: a later batch that writes one field of the key leaves the parked record's
// other fields to deliver; a delete the `ignore` policy ignored replaces nothing.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

/** Parks `items` (the token is refused: OCP will not send them again), with the field model cached. */
async function park(items: unknown[]): Promise<void> {
  expect(await deliver([{ asset_id: assetId(9), description: 'warm-up' }], { syncId: 'warm' })).toEqual({
    success: true,
  });
  emulator.configure({ tokens: [] });
  const answer = await deliver(items, { syncId: 'parking' });
  expect(answer).toMatchObject({ success: false, retryable: false });
  emulator.configure({ tokens: [{ token: TOKEN }] });
  expect((await readOutbox(storage.kvStore)).records).toHaveLength(items.length);
}

/** The next replay's write of asset 3 is refused once (a missing right): the record stays parked. */
function refuseNextReplayOf(n: number): void {
  emulator.faults.add({ match: `POST /api/v4/media/${assetId(n)}/`, status: 403, times: 1 });
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 20 }));
  emulator.faults.clear();
  emulator.configure({ tokens: [{ token: TOKEN }] });
  await configureApp(emulator.url);
  emulator.clearRequests();
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('superseding parked records', () => {
  it('keeps the fields only the parked record carried when a later batch writes another field', async () => {
    await park([{ asset_id: assetId(3), description: 'parked', usage_notes: 'parked notes' }]);
    refuseNextReplayOf(3);

    // The replay is refused; then this batch writes the description of the same asset.
    await deliver([{ asset_id: assetId(3), description: 'newer' }], { syncId: 'later' });
    const left = (await readOutbox(storage.kvStore)).records;
    expect(left.map((r) => r.item)).toEqual([{ asset_id: assetId(3), usage_notes: 'parked notes' }]);

    // The next delivery replays what is left: the notes, never the older description.
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(4), description: 'other' }], { syncId: 'next' })).toEqual({
      success: true,
    });
    await emulator.settle();
    expect(assetById(assetId(3))).toMatchObject({
      description: 'newer',
      property_usage_notes: 'parked notes',
    });
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });

  it('keeps the other fields when a later batch finds one field unchanged', async () => {
    await park([{ asset_id: assetId(5), description: 'original 5', usage_notes: 'parked notes' }]);
    refuseNextReplayOf(5);
    // Bynder holds this description already: applied as unchanged, without a write.
    await deliver([{ asset_id: assetId(5), description: 'original 5' }], { syncId: 'later' });
    expect((await readOutbox(storage.kvStore)).records.map((r) => r.item)).toEqual([
      { asset_id: assetId(5), usage_notes: 'parked notes' },
    ]);
  });

  it('keeps a parked upsert when a later delete of its key is ignored', async () => {
    await configureApp(emulator.url, { delete_policy: 'ignore' });
    await park([{ asset_id: assetId(6), description: 'parked' }]);
    refuseNextReplayOf(6);
    expect(await deliver([{ asset_id: assetId(6), _isDeleted: true }], { syncId: 'later' })).toEqual({
      success: true,
    });
    expect((await readOutbox(storage.kvStore)).records.map((r) => r.item)).toEqual([
      { asset_id: assetId(6), description: 'parked' },
    ]);
  });

  it('drops a parked upsert when a later delete of its key is applied', async () => {
    await configureApp(emulator.url, { delete_policy: 'archive' });
    await park([{ asset_id: assetId(7), description: 'parked' }]);
    refuseNextReplayOf(7);
    await deliver([{ asset_id: assetId(7), _isDeleted: true }], { syncId: 'later' });
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
    emulator.clearRequests();
    await deliver([{ asset_id: assetId(8), description: 'other' }], { syncId: 'next' });
    expect(emulator.requests(POST).map((r) => r.path)).toEqual([`/api/v4/media/${assetId(8)}/`]);
  });
});
