import { beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { MODEL_REFRESH_MIN_AGE_MS } from '../../src/lib/delivery/plan';
import { METAPROPERTY_FRESH_MS } from '../../src/lib/fields/metaproperty-cache';
import { assetId, configureApp, deliver, portalSeed, TOKEN, watchWarnings } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// A metaproperty removed in Bynder between batches: dropped from the write with a warning naming it,
// the rest applied; the cached field model refreshed at most once per batch, and only when older
// than a minute.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const LIST = 'GET /api/v4/metaproperties/';
const POST = 'POST /api/v4/media/:id/';
const assetOf = (n: number) => emulator.snapshot().assets.find((a) => a.id === assetId(n));

beforeEach(async () => {
  emulator.seed(portalSeed());
  await configureApp(emulator.url);
});

describe('deliver against the emulator: schema drift', () => {
  it('drops a field removed from Bynder between batches with a warning naming it, and applies the rest', async () => {
    expect(await deliver([{ asset_id: assetId(1), usage_notes: 'before' }])).toEqual({ success: true });
    emulator.seed(portalSeed({ withUsageNotes: false }));
    BynderAssetSync.clockOverride = clockAhead(METAPROPERTY_FRESH_MS + 60_000); // the cached model has expired
    emulator.clearRequests();
    const warnings = watchWarnings();
    try {
      const result = await deliver([
        { asset_id: assetId(2), usage_notes: 'gone', description: 'd2' },
        { asset_id: assetId(3), usage_notes: 'gone too' },
      ]);
      await emulator.settle();
      expect(result).toEqual({ success: true });
      expect(assetOf(2)).toMatchObject({ description: 'd2' });
      expect(assetOf(2)?.property_usage_notes).toBeUndefined();
      // One listing (the expired cache); the model it gave is new, so the unknown field costs no second one.
      expect(emulator.requests(LIST)).toHaveLength(1);
      // Record 3 has nothing left to write: applied without a request.
      expect(emulator.requests(POST).map((r) => r.path)).toEqual([`/api/v4/media/${assetId(2)}/`]);
      const dropped = warnings.lines().filter((line) => line.includes('dropped from the write'));
      expect(dropped).toHaveLength(1);
      expect(dropped[0]).toContain('"usage_notes" (2 records)');
    } finally {
      warnings.restore();
    }
  });

  it('fetches a cached model older than a minute again, once, when a batch carries a field it does not know', async () => {
    expect(await deliver([{ asset_id: assetId(1), usage_notes: 'before', description: 'd1' }])).toEqual({
      success: true,
    });
    await emulator.settle();
    expect(assetOf(1)).toMatchObject({ property_usage_notes: 'before' });

    // An admin deletes the metaproperty in Bynder; our cached model (fresh for 15 minutes) still has it.
    emulator.seed(portalSeed({ withUsageNotes: false }));
    BynderAssetSync.clockOverride = clockAhead(MODEL_REFRESH_MIN_AGE_MS + 5_000);
    emulator.clearRequests();
    const warnings = watchWarnings();
    try {
      // The batch still maps usage_notes, under a name the cached model knows: first write as mapped...
      const result = await deliver([
        { asset_id: assetId(2), usage_notes: 'gone', description: 'd2' },
        { asset_id: assetId(3), usage_notes: 'gone too', campaign: 'Summer' },
        { asset_id: assetId(4), retired_column: 'x', description: 'd4' },
      ]);
      await emulator.settle();
      expect(result).toEqual({ success: true });
      // retired_column is unknown to the cached model, so the model was fetched again: exactly once.
      expect(emulator.requests(LIST)).toHaveLength(1);
      expect(emulator.requests(POST)).toHaveLength(3);
      expect(assetOf(2)).toMatchObject({ description: 'd2' });
      expect(assetOf(3)).toMatchObject({ property_campaign: ['summer'] });
      expect(assetOf(4)).toMatchObject({ description: 'd4' });
      const dropped = warnings.lines().filter((line) => line.includes('dropped from the write'));
      expect(dropped).toHaveLength(1);
      expect(dropped[0]).toContain('"usage_notes" (2 records)');
      expect(dropped[0]).toContain('"retired_column" (1 record)');
    } finally {
      warnings.restore();
    }
  });

  it('does not fetch the model again for an unknown field while the cached model is under a minute old', async () => {
    await deliver([{ asset_id: assetId(1), description: 'warm the cache' }]);
    emulator.clearRequests();
    const warnings = watchWarnings();
    try {
      const result = await deliver([{ asset_id: assetId(5), not_in_bynder: 'x', description: 'd5' }]);
      await emulator.settle();
      expect(result).toEqual({ success: true });
      expect(emulator.requests(LIST)).toEqual([]);
      expect(assetOf(5)).toMatchObject({ description: 'd5' });
      expect(warnings.lines().some((line) => line.includes('"not_in_bynder"'))).toBe(true);
    } finally {
      warnings.restore();
    }
  });
});

describe('deliver against the emulator: external key', () => {
  it('finds assets by the external key metaproperty with one lookup per new key, cached for later batches', async () => {
    await configureApp(emulator.url, {
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
    });
    emulator.clearRequests();
    const first = await deliver([
      { external_id: 'SKU-6', description: 'by key 6' },
      { external_id: 'SKU-7', description: 'by key 7' },
      { external_id: 'SKU-404', description: 'no such key' },
    ]);
    await emulator.settle();
    expect(first.success).toBe(false);
    expect(first.retryable).toBe(false);
    expect(first.failureReason).toContain('external_id "SKU-404": no asset has external_id = "SKU-404"');
    expect(assetOf(6)).toMatchObject({ description: 'by key 6' });
    expect(assetOf(7)).toMatchObject({ description: 'by key 7' });
    expect(emulator.requests('GET /api/v4/media/')).toHaveLength(3);

    emulator.clearRequests();
    const second = await deliver([
      { external_id: 'SKU-6', description: 'again 6' },
      { external_id: 'SKU-8', _isDeleted: true },
    ]);
    await emulator.settle();
    expect(second).toEqual({ success: true });
    // SKU-6 came from the cache (re-checked by one bulk read); only the new key SKU-8 was looked up.
    expect(emulator.requests('GET /api/v4/media/')).toHaveLength(2);
    expect(assetOf(6)).toMatchObject({ description: 'again 6' });
    expect(assetOf(8)).toMatchObject({ archive: true });
  });
});
