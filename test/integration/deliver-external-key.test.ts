import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Seed, SeedAsset, TextFilterMode } from '../../dev/bynder-emulator/server';
import { LOOKUP_PAGE_SIZE, MAX_LOOKUP_PAGES } from '../../src/lib/delivery/asset-resolver';
import { callEmulator, useEmulator } from '../helpers/use-emulator';
import { assetId, configureApp, deliver, EXTERNAL_ID, portalSeed, TOKEN } from '../helpers/deliver-fixture';

// External-key mode must write to the asset whose key metaproperty holds exactly the record's key,
// whatever Bynder's undocumented text filter does and however old the cached answer is.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], rateLimit: false });
const LIST = 'GET /api/v4/media/';

const assetOf = (n: number) => emulator.snapshot().assets.find((asset) => asset.id === assetId(n));
const byKey = { primary_key: 'external_key', external_key_metaproperty: 'external_id' } as const;

/** Assets 1..n; `keys[i]` is asset i+1's external_id (undefined: none). Lower ids are listed first. */
function seedWithKeys(keys: ReadonlyArray<string | undefined>): Seed {
  const assets: SeedAsset[] = keys.map((key, i) => ({
    id: assetId(i + 1),
    name: `Asset ${i + 1}`,
    description: `original ${i + 1}`,
    ...(key !== undefined ? { property_external_id: key } : {}),
  }));
  return { metaproperties: portalSeed().metaproperties, assets };
}

beforeEach(async () => {
  emulator.configure({ textFilter: 'exact' });
  emulator.seed(portalSeed());
  await configureApp(emulator.url, byKey);
});

afterEach(() => emulator.configure({ textFilter: 'exact' }));

describe('external key: a cached asset id is re-checked before it is trusted', () => {
  it('follows a key that moved to another asset since it was cached', async () => {
    expect(await deliver([{ external_id: 'SKU-1', description: 'first' }])).toEqual({ success: true });
    await emulator.settle();
    expect(assetOf(1)).toMatchObject({ description: 'first' });

    // In Bynder, SKU-1 moves from asset 1 to asset 2.
    for (const [n, key] of [
      [1, 'SKU-1-retired'],
      [2, 'SKU-1'],
    ] as const) {
      const moved = await callEmulator(emulator, 'POST', `/api/v4/media/${assetId(n)}/`, {
        form: { [`metaproperty.${EXTERNAL_ID}`]: key },
      });
      expect(moved.status).toBe(202);
    }
    await emulator.settle();

    emulator.clearRequests();
    expect(await deliver([{ external_id: 'SKU-1', description: 'second' }])).toEqual({ success: true });
    await emulator.settle();
    expect(assetOf(2)).toMatchObject({ description: 'second' });
    expect(assetOf(1)).toMatchObject({ description: 'first' });
    // One bulk read of the cached id, then one lookup for the key that moved.
    expect(emulator.requests(LIST)).toHaveLength(2);
  });

  it('rejects a cached key that no asset holds any more instead of writing to its old asset', async () => {
    await deliver([{ external_id: 'SKU-3', description: 'first' }]);
    await emulator.settle();
    await callEmulator(emulator, 'POST', `/api/v4/media/${assetId(3)}/`, {
      form: { [`metaproperty.${EXTERNAL_ID}`]: '' },
    });
    await emulator.settle();

    const result = await deliver([{ external_id: 'SKU-3', description: 'second' }]);
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain('no asset has external_id = "SKU-3"');
    expect(assetOf(3)).toMatchObject({ description: 'first' });
  });

  it('re-checks all cached ids of a batch in one request', async () => {
    const keys = ['SKU-4', 'SKU-5', 'SKU-6', 'SKU-7'];
    await deliver(keys.map((key) => ({ external_id: key, description: 'first' })));
    await emulator.settle();
    emulator.clearRequests();
    expect(await deliver(keys.map((key) => ({ external_id: key, description: 'again' })))).toEqual({
      success: true,
    });
    expect(emulator.requests(LIST)).toHaveLength(1);
  });
});

describe('external key: only an asset holding exactly the key matches, whatever the filter does', () => {
  // Asset 6 holds the key; the others resemble it, or hold nothing, and are listed before it.
  const keys = ['SKU-10', 'sku-1', undefined, 'Sku-1', 'SKU-1 extra', 'SKU-1', 'OTHER'];

  for (const mode of ['exact', 'substring', 'case-insensitive', 'ignored'] satisfies TextFilterMode[]) {
    it(`writes only to the asset holding "SKU-1" when the text filter is ${mode}`, async () => {
      emulator.seed(seedWithKeys(keys));
      emulator.configure({ textFilter: mode });
      const result = await deliver([{ external_id: 'SKU-1', description: 'by key' }]);
      await emulator.settle();
      expect(result).toEqual({ success: true });
      const written = emulator
        .snapshot()
        .assets.filter((asset) => asset.description === 'by key')
        .map((asset) => asset.id);
      expect(written).toEqual([assetId(6)]);
    });
  }

  it('rejects a key two assets hold, even when the filter answers non-matches first', async () => {
    emulator.seed(seedWithKeys(['A', 'B', undefined, 'SKU-1', 'C', 'SKU-1']));
    emulator.configure({ textFilter: 'ignored' });
    const result = await deliver([{ external_id: 'SKU-1', description: 'by key' }]);
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain('several assets have external_id = "SKU-1"');
    expect(emulator.snapshot().assets.some((asset) => asset.description === 'by key')).toBe(false);
  });

  it('compares case exactly and ignores surrounding whitespace', async () => {
    emulator.seed(seedWithKeys(['sku-1', ' SKU-2 ']));
    emulator.configure({ textFilter: 'ignored' });
    const result = await deliver([
      { external_id: 'SKU-1', description: 'case' },
      { external_id: 'SKU-2', description: 'space' },
    ]);
    await emulator.settle();
    expect(result.failureReason).toContain('no asset has external_id = "SKU-1"');
    expect(assetOf(1)).toMatchObject({ description: 'original 1' });
    expect(assetOf(2)).toMatchObject({ description: 'space' });
  });

  it(`stops after ${MAX_LOOKUP_PAGES} pages of non-matches and rejects the key as unconfirmed`, async () => {
    const many = LOOKUP_PAGE_SIZE * MAX_LOOKUP_PAGES + 5;
    emulator.seed(
      seedWithKeys(Array.from({ length: many }, (_, i) => (i === many - 1 ? 'SKU-1' : `X-${i}`))),
    );
    emulator.configure({ textFilter: 'ignored' });
    emulator.clearRequests();
    const result = await deliver([{ external_id: 'SKU-1', description: 'by key' }]);
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain('could not confirm which asset has external_id = "SKU-1"');
    expect(emulator.snapshot().assets.some((asset) => asset.description === 'by key')).toBe(false);
    // The limit-2 probe, then the bounded pages.
    expect(emulator.requests(LIST)).toHaveLength(1 + MAX_LOOKUP_PAGES);
  });
});

describe('external key: the setting names a metaproperty by one rule', () => {
  it('refuses a setting that matches the metaproperty name only in another letter case', async () => {
    const seed = portalSeed();
    const { external_id: key, ...others } = seed.metaproperties;
    emulator.seed({
      metaproperties: { ...others, External_ID: { ...key!, name: 'External_ID' } },
      assets: seed.assets.map(({ property_external_id: value, ...asset }) => ({
        ...asset,
        property_External_ID: value,
      })),
    });
    await configureApp(emulator.url, {
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
    });
    const result = await deliver([{ external_id: 'SKU-1', description: 'by key' }]);
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toContain('Did you mean "External_ID"?');
    expect(assetOf(1)).toMatchObject({ description: 'original 1' });
  });
});
