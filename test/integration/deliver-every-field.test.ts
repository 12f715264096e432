import { beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { RECENT_WRITE_WINDOW_MS } from '../../src/lib/state/recent-writes';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';

// Every field Bynder's modify accepts reaches the schema and the asset: the standard dates and the
// brand, and metaproperties typed as Bynder's own listing example types them (`sidebar` with
// options, `button` without), mapped by what they carry rather than by their type's name.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const COLOURS = '3C4D5E6F-1111-4D55-8E66F77A88B99C00';
const YELLOW = '3C4D5E6F-2222-4D55-8E66F77A88B99C00';
const RED = '3C4D5E6F-3333-4D55-8E66F77A88B99C00';
const BOB_BUTTON = '3C4D5E6F-4444-4D55-8E66F77A88B99C00';
const BRAND = '00000000-0000-0000-0000000000000B01';

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(async () => {
  const seed = portalSeed();
  seed.metaproperties.colours = {
    id: COLOURS,
    name: 'colours',
    label: 'Colours',
    type: 'sidebar',
    isMultiselect: true,
    isEditable: true,
    zindex: 16,
    options: [
      { id: YELLOW, name: 'yellow', label: 'Yellow' },
      { id: RED, name: 'red', label: 'Red' },
    ],
  };
  seed.metaproperties.Bob_button = {
    id: BOB_BUTTON,
    name: 'Bob_button',
    label: 'Bob_button',
    type: 'button',
    isEditable: true,
    zindex: 2,
  };
  emulator.seed(seed);
  emulator.faults.clear();
  await configureApp(emulator.url);
});

async function schemaFields(): Promise<Map<string, { display_name: string; description: string }>> {
  const schema = await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
  return new Map(schema.fields.map((field) => [field.name, field]));
}

describe('every field Bynder offers', () => {
  it('offers the dates and brand of the modify call, and a sidebar with options as an option field', async () => {
    const fields = await schemaFields();
    expect([...fields.keys()]).toEqual(
      expect.arrayContaining(['archive_date', 'limited_date', 'watermark_date', 'brand_id']),
    );
    expect(fields.get('colours')?.description).toBe(
      'Colours: multi-select, 2 options; comma-separated option names or labels',
    );
    // A button without options carries nothing this destination can write.
    expect([...fields.keys()].filter((name) => name.startsWith('bob'))).toEqual([]);
  });

  it('writes the new standard fields and a sidebar option, then finds nothing to change', async () => {
    const record = {
      asset_id: assetId(1),
      archive_date: '2030-01-01',
      limited_date: '2029-06-01T12:00:00+02:00',
      watermark_date: '2029-01-01T00:00:00Z',
      brand_id: BRAND.toLowerCase(),
      colours: 'Red, yellow',
    };
    expect(await deliver([record])).toEqual({ success: true });
    await emulator.settle();
    const asset = assetById(assetId(1));
    expect(asset).toMatchObject({
      archiveDate: '2030-01-01T00:00:00Z',
      limitedDate: '2029-06-01T10:00:00Z',
      watermarkDate: '2029-01-01T00:00:00Z',
      brandId: BRAND,
      property_colours: ['red', 'yellow'],
    });

    // Change detection reads the new fields back: past the safety window, the same record again
    // sends no write.
    BynderAssetSync.clockOverride = clockAhead(RECENT_WRITE_WINDOW_MS + 60 * 60_000);
    emulator.clearRequests();
    expect(await deliver([record], { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(POST)).toEqual([]);
  });

  it('rejects a value that is not an option of the sidebar, naming its options', async () => {
    emulator.clearRequests();
    const result = await deliver([{ asset_id: assetId(2), colours: 'purple' }]);
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain('"purple" is not an option of "Colours"');
    expect(emulator.requests(POST)).toEqual([]);
  });
});
