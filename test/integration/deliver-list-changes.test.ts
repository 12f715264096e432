import { beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { RECENT_WRITE_WINDOW_MS } from '../../src/lib/state/recent-writes';
import { clockAhead } from '../helpers/fake-clock';
import { assetId, configureApp, deliver, EMEA, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// "Add values" and "remove values" of a multi-select and of the tags: outside the safety window the
// whole list is computed from change detection's read (one modify, or none when nothing changes, at
// no extra request); where the read cannot be trusted, a multi-select uses Bynder's per-asset option
// calls and tags wait. Never a guess, never a whole-list replace from what the record alone says.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const MODIFY = 'POST /api/v4/media/:id/';
const READ = 'GET /api/v4/media/';
const ADD_OPTIONS = 'POST /api/media/options';
const REMOVE_OPTIONS = 'DELETE /api/media/options';

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);
/** Delivers as a later sync would: past the safety window of every earlier write. */
const later = (hours: number) => {
  BynderAssetSync.clockOverride = clockAhead(RECENT_WRITE_WINDOW_MS * hours + hours * 60 * 60_000);
};

beforeEach(async () => {
  const seed = portalSeed();
  // What another system set: a region and tags this source never names.
  seed.assets[0] = { ...seed.assets[0]!, property_region: ['emea'], tags: ['from-pim'] };
  seed.assets[1] = { ...seed.assets[1]!, property_region: ['emea'], tags: ['from-pim'] };
  emulator.seed(seed);
  emulator.faults.clear();
  await configureApp(emulator.url);
});

describe('add and remove values: the schema', () => {
  it('offers an add and a remove field beside every multi-select and the tags', async () => {
    const schema = await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    const byName = new Map(schema.fields.map((field) => [field.name, field.display_name]));
    expect(byName.get('region_add')).toBe('Region: add values');
    expect(byName.get('region_remove')).toBe('Region: remove values');
    expect(byName.get('tags_add')).toBe('Tags: add values');
    expect(byName.get('tags_remove')).toBe('Tags: remove values');
    // A single select has no list to add to.
    expect(byName.has('campaign_add')).toBe(false);
  });
});

describe('add and remove values outside the safety window', () => {
  it("keeps another system's values while a source adds and later removes only its own", async () => {
    later(1);
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(1), region_add: 'APAC', tags_add: 'spring' }])).toEqual({
      success: true,
    });
    // One read for change detection and one modify: no request of their own for add/remove values.
    expect(emulator.requests(READ)).toHaveLength(1);
    expect(emulator.requests(MODIFY)).toHaveLength(1);
    expect(emulator.requests(ADD_OPTIONS)).toEqual([]);
    await emulator.settle();
    expect(assetById(assetId(1))).toMatchObject({
      property_region: ['emea', 'apac'],
      tags: ['from-pim', 'spring'],
    });

    later(3);
    expect(
      await deliver([{ asset_id: assetId(1), region_remove: 'APAC', tags_remove: 'spring' }], {
        syncId: 'sync-2',
      }),
    ).toEqual({ success: true });
    await emulator.settle();
    expect(assetById(assetId(1))).toMatchObject({ property_region: ['emea'], tags: ['from-pim'] });
  });

  it('sends nothing when the asset already holds what the record adds and lacks what it removes', async () => {
    later(1);
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: assetId(2), region_add: 'EMEA', region_remove: 'APAC', tags_add: 'from-pim' },
    ]);
    expect(result).toEqual({ success: true });
    expect(emulator.requests(READ)).toHaveLength(1);
    expect(emulator.requests(MODIFY)).toEqual([]);
  });
});

describe('add and remove values where the read cannot be trusted', () => {
  it("uses Bynder's per-asset option add within the safety window, one request, no whole list", async () => {
    expect(await deliver([{ asset_id: assetId(1), description: 'written now' }])).toEqual({ success: true });
    await emulator.settle();
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(1), region_add: 'APAC' }], { syncId: 'sync-2' })).toEqual({
      success: true,
    });
    expect(emulator.requests(ADD_OPTIONS)).toHaveLength(1);
    expect(emulator.requests(MODIFY)).toEqual([]);
    expect(assetById(assetId(1))?.property_region).toEqual(['emea', 'apac']);
  });

  it('uses the per-asset option remove under write_all', async () => {
    await configureApp(emulator.url, { change_detection: 'write_all' });
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(2), region_remove: 'EMEA' }])).toEqual({ success: true });
    expect(emulator.requests(REMOVE_OPTIONS)).toHaveLength(1);
    expect(emulator.requests(READ)).toEqual([]);
    expect(emulator.requests(MODIFY)).toEqual([]);
    expect(assetById(assetId(2))?.property_region).toBeUndefined();
    expect(assetById(assetId(2))?.propertyOptions).not.toContain(EMEA);
  });

  it('holds tags back (pending) within the safety window rather than guess the list', async () => {
    expect(await deliver([{ asset_id: assetId(1), description: 'written now' }])).toEqual({ success: true });
    await emulator.settle();
    emulator.clearRequests();
    const result = await deliver([{ asset_id: assetId(1), tags_add: 'spring' }], { syncId: 'sync-2' });
    expect(result.success).toBe(false);
    expect(result).toMatchObject({ retryable: true });
    expect(emulator.requests(MODIFY)).toEqual([]);
    expect(assetById(assetId(1))?.tags).toEqual(['from-pim']);
  });
});

describe('add and remove values: rejections', () => {
  it('rejects a record that adds and removes the same value, naming both fields', async () => {
    emulator.clearRequests();
    const result = await deliver([{ asset_id: assetId(1), tags_add: 'a, b', tags_remove: 'b' }]);
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain(
      'fields "tags_add" and "tags_remove" both name "b"; a record cannot add and remove the same value',
    );
    expect(emulator.requests(MODIFY)).toEqual([]);
    const options = await deliver([
      { asset_id: assetId(1), region_add: 'EMEA, APAC', region_remove: 'apac' },
    ]);
    expect(options.failureReason).toContain('fields "region_add" and "region_remove" both name "APAC"');
  });
});
