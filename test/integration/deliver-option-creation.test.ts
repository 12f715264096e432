import { notifications } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useEmulator } from '../helpers/use-emulator';
import { assetId, CAMPAIGN, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';

// "Values that are not an option: create the option": the value becomes an option (label: the value;
// name: derived from it as Bynder's editor derives names, never an existing one), then is written.
// Creation needs METAPROPERTYMANAGEMENT: without it the records wait rather than being rejected.

const EDITOR = 'option-creation-editor-token-62ad';
const emulator = useEmulator({
  tokens: [{ token: TOKEN }, { token: EDITOR, roles: ['MEDIAEDIT', 'MEDIAREMOVE'] }],
  applyDelayMs: 0,
});
const CREATE = 'POST /api/v4/metaproperties/:id/options/';
const AREA = '4D5E6F70-1111-4E66-8F77A88B99C00D11';

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);
const optionsOf = (id: string) =>
  Object.values(emulator.snapshot().metaproperties).find((mp) => mp.id === id)?.options ?? [];

beforeEach(async () => {
  const seed = portalSeed();
  seed.metaproperties.area = {
    id: AREA,
    name: 'area',
    label: 'Area',
    type: 'select',
    isMultiselect: true,
    options: [
      { id: 'AREA-EU', name: 'eu', label: 'EU', options: [{ id: 'AREA-NL', name: 'nl', label: 'NL' }] },
    ],
  };
  emulator.seed(seed);
  emulator.configure({ optionCreateGapMs: 0 });
  emulator.faults.clear();
  await configureApp(emulator.url, { unknown_options: 'create' });
  vi.spyOn(notifications, 'info').mockResolvedValue(undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});
const infoNotices = () =>
  (vi.mocked(notifications.info).mock.calls as string[][]).map((call) => call.join(' | '));

describe('create the option', () => {
  it('creates a value that is no option once, labelled with it, and writes it', async () => {
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: assetId(1), campaign: 'Autumn sale' },
      { asset_id: assetId(2), campaign: 'autumn SALE' },
      { asset_id: assetId(3), region_add: 'LATAM' },
    ]);
    expect(result).toEqual({ success: true });
    expect(emulator.requests(CREATE)).toHaveLength(2);
    const autumn = optionsOf(CAMPAIGN).filter((option) => option.name === 'autumn_sale');
    expect(autumn).toMatchObject([{ label: 'Autumn sale' }]);
    await emulator.settle();
    expect(assetById(assetId(1))?.property_campaign).toEqual(['autumn_sale']);
    expect(assetById(assetId(2))?.property_campaign).toEqual(['autumn_sale']);
    expect(assetById(assetId(3))?.property_region).toEqual(['latam']);

    // The Activity Log hears which options were created, once per sync and hour.
    const told = infoNotices().filter((notice) => notice.includes('created 2 options in Bynder'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('"Autumn sale" (autumn_sale) in "Campaign"');
    expect(told[0]).toContain('"LATAM" (latam) in "Region"');

    // The next batch's field model holds the new options: nothing is created again.
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(4), campaign: 'Autumn sale' }], { syncId: 'sync-2' })).toEqual({
      success: true,
    });
    expect(emulator.requests(CREATE)).toEqual([]);
  });

  it('derives a name no option has: "Summer!" beside the option named summer becomes summer_2', async () => {
    expect(await deliver([{ asset_id: assetId(1), campaign: 'Summer!' }])).toEqual({ success: true });
    expect(optionsOf(CAMPAIGN).map((option) => option.name)).toEqual(['summer', 'winter', 'summer_2']);
  });

  it('leaves the records pending, naming the right, when the token may not create options', async () => {
    await configureApp(emulator.url, { unknown_options: 'create', token: EDITOR });
    const result = await deliver([{ asset_id: assetId(1), campaign: 'Autumn sale' }]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain('METAPROPERTYMANAGEMENT');
    expect(optionsOf(CAMPAIGN)).toHaveLength(2);
  });

  it('reports a metaproperty whose options form a hierarchy as taking no new options', async () => {
    emulator.clearRequests();
    const result = await deliver([{ asset_id: assetId(1), area: 'Mars' }]);
    expect(result.success).toBe(false);
    expect(result.failureReason).toContain(
      '"Area" allows no new options from records: its options form a hierarchy',
    );
    expect(emulator.requests(CREATE)).toEqual([]);
  });
});

describe('create the option: two deliveries at once', () => {
  it('ends with one option, and both records hold it once the waiting one is retried', async () => {
    // Bynder's duplicate check is not known to be atomic: here two creates of one name at once would
    // both pass it, so only the claim keeps the second delivery from making a second option.
    emulator.configure({ optionCreateGapMs: 150 });
    emulator.clearRequests();
    const [first, second] = await Promise.all([
      deliver([{ asset_id: assetId(5), campaign: 'Winterfest' }], { syncId: 'sync-a' }),
      deliver([{ asset_id: assetId(6), campaign: 'Winterfest' }], { syncId: 'sync-b' }),
    ]);
    const created = optionsOf(CAMPAIGN).filter((option) => option.label === 'Winterfest');
    expect(created).toHaveLength(1);
    expect(emulator.requests(CREATE).length).toBeLessThanOrEqual(1);
    // One applied at once; the other waited for it (pending) or found it made.
    expect([first, second].filter((result) => result.success)).not.toHaveLength(0);
    const retried = await Promise.all(
      [
        [first, assetId(5), 'sync-a'],
        [second, assetId(6), 'sync-b'],
      ].map(([result, id, syncId]) =>
        (result as { success: boolean }).success
          ? Promise.resolve({ success: true })
          : deliver([{ asset_id: id, campaign: 'Winterfest' }], { syncId: syncId as string, attempt: 2 }),
      ),
    );
    expect(retried).toEqual([{ success: true }, { success: true }]);
    await emulator.settle();
    expect(assetById(assetId(5))?.propertyOptions).toEqual([created[0]?.id]);
    expect(assetById(assetId(6))?.propertyOptions).toEqual([created[0]?.id]);
    expect(optionsOf(CAMPAIGN).filter((option) => option.label === 'Winterfest')).toHaveLength(1);
  });
});
