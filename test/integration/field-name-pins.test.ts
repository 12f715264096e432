import { storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Seed } from '../../dev/bynder-emulator/server';
import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { useEmulator } from '../helpers/use-emulator';
import {
  assetId,
  configureApp,
  deliver,
  portalSeed,
  REGION,
  TOKEN,
  watchWarnings,
} from '../helpers/deliver-fixture';

// A field name, once offered to Sync Manager, must keep meaning the same Bynder metaproperty:
// mappings are saved by name. `region` (select) and `Région` (text) both normalise to `region`.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], rateLimit: false });
const REGION_TEXT = '3C4D5E6F-5555-4D55-8E66F77A88B99C00';
const REGION_TEXT_NAME = 'Région';

const schemaFunction = () => new BynderAssetSchema({ destinationKey: 'bynder_assets' });
const assetOf = (n: number) => emulator.snapshot().assets.find((asset) => asset.id === assetId(n));

/** The demo seed, with `Région` (text) added, and `region` (select) only when asked. */
function seedWith(options: { selectRegion: boolean }): Seed {
  const { region, ...others } = portalSeed().metaproperties;
  return {
    metaproperties: {
      ...others,
      ...(options.selectRegion && region ? { region } : {}),
      [REGION_TEXT_NAME]: {
        id: REGION_TEXT,
        name: REGION_TEXT_NAME,
        label: 'Région',
        type: 'text',
        zindex: 5,
      },
    },
    assets: portalSeed().assets,
  };
}

/** The names Sync Manager is offered now, read afresh from Bynder. */
async function offeredNames(): Promise<string[]> {
  await invalidateFieldModel(storage.kvStore);
  const schema = await schemaFunction().getDestinationsSchema();
  return schema.fields.map((field) => field.name);
}

beforeEach(async () => {
  await configureApp(emulator.url);
  await invalidateFieldModel(storage.kvStore);
});

describe('field names are pinned to their metaproperty', () => {
  it('retires the name of a deleted metaproperty instead of handing it to another', async () => {
    emulator.seed(seedWith({ selectRegion: true }));
    const before = await offeredNames();
    expect(before).toContain('region');
    const textName = before.find((name) => /^region_[0-9a-f]{6}$/.test(name));
    expect(textName).toBeDefined();

    // `region` is deleted in Bynder; a saved mapping still sends values under `region`.
    emulator.seed(seedWith({ selectRegion: false }));
    const after = await offeredNames();
    expect(after).not.toContain('region');
    expect(after).toContain(textName);

    const warnings = watchWarnings();
    try {
      const result = await deliver([
        { asset_id: assetId(2), region: 'meant for the select', description: 'd2' },
      ]);
      await emulator.settle();
      expect(result).toEqual({ success: true });
      expect(assetOf(2)?.[`property_${REGION_TEXT_NAME}`]).toBeUndefined();
      expect(assetOf(2)).toMatchObject({ description: 'd2' });
      expect(warnings.lines().some((line) => line.includes('"region"'))).toBe(true);
    } finally {
      warnings.restore();
    }
  });

  it('never lets a new metaproperty take or shift an existing name', async () => {
    emulator.seed(seedWith({ selectRegion: false }));
    expect(await offeredNames()).toContain('region'); // `Région` is `region` while it is alone
    expect(await deliver([{ asset_id: assetId(1), region: 'first' }])).toEqual({ success: true });
    await emulator.settle();
    expect(assetOf(1)?.[`property_${REGION_TEXT_NAME}`]).toBe('first');

    // A select metaproperty named exactly `region` appears in Bynder.
    emulator.seed(seedWith({ selectRegion: true }));
    const names = await offeredNames();
    expect(names).toContain('region');
    expect(names.filter((name) => /^region_[0-9a-f]{6}$/.test(name))).toHaveLength(1);

    expect(await deliver([{ asset_id: assetId(2), region: 'second' }])).toEqual({ success: true });
    await emulator.settle();
    expect(assetOf(2)?.[`property_${REGION_TEXT_NAME}`]).toBe('second');
    expect(assetOf(2)?.property_region).toBeUndefined();
  });

  it('keeps the pins in one kvStore row, for this portal', async () => {
    emulator.seed(seedWith({ selectRegion: true }));
    await offeredNames();
    const row = await storage.kvStore.get(KV_ROWS.fieldNamePins.key);
    expect(row).toMatchObject({ portalUrl: emulator.url });
    const ids = row.ids as string[];
    const names = row.names as string[];
    expect(names[ids.indexOf(REGION)]).toBe('region');
    expect(names[ids.indexOf(REGION_TEXT)]).toMatch(/^region_[0-9a-f]{6}$/);
  });
});
