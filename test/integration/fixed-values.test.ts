import { logger, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import {
  assetId,
  configureApp,
  deliver,
  portalSeed,
  SUMMER,
  TOKEN,
  WINTER,
} from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Fixed values: one `field: value` per line in the settings, checked against the field model when
// saved, and written to every record that carries no value of its own for the field.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const lifecycle = new Lifecycle();
const POST = 'POST /api/v4/media/:id/';

/** Saves the Records section as it is stored, with these fixed values. */
async function saveFixedValues(values: string) {
  const records = await storage.settings.get('records');
  const answer = await lifecycle.onSettingsForm('records', 'save', { ...records, fixed_values: values });
  return answer.getResponse('records');
}
const storedFixedValues = async () => (await storage.settings.get('records')).fixed_values;
const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(async () => {
  emulator.seed(portalSeed());
  emulator.faults.clear();
  await configureApp(emulator.url);
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fixed values in the settings', () => {
  it('saves lines that name fields and values the field model writes, and says what they do', async () => {
    const response = await saveFixedValues(
      '# every asset of this sync\ncampaign: Summer\r\nusage_notes: Internal use: v2\n',
    );
    expect(response.errors ?? {}).toEqual({});
    expect(response.toasts?.[0]).toMatchObject({
      intent: 'success',
      message: expect.stringContaining('2 fixed values (campaign: Summer; usage_notes: Internal use: v2)'),
    });
    expect(await storedFixedValues()).toBe(
      '# every asset of this sync\ncampaign: Summer\nusage_notes: Internal use: v2\n',
    );
  });

  it.each([
    ['campagin: Summer', /line 1: "campagin" is not a field of this destination/],
    [
      'campaign: Sumer',
      /line 1: field "campaign": "Sumer" .*is not an option of "Campaign".*; fix the value on that line/,
    ],
    [
      'date_published: 03/01/2026',
      /line 1: field "date_published": "03\/01\/2026" .*; fix the value on that line/,
    ],
    ['asset_id: 00000000-0000-4000-0000000000000001', /line 1: "asset_id" is the primary key/],
    ['campaign Summer', /line 1 \("campaign Summer"\) has no colon; write one "field: value" per line/],
    ['campaign: Summer\ncampaign: Winter', /line 2: field "campaign" is already fixed on line 1/],
  ])('refuses %j with the line, the field and the fix, and stores nothing', async (text, message) => {
    const response = await saveFixedValues(text);
    expect(response.errors?.['records.fixed_values']?.[0]).toMatch(message);
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(await storedFixedValues()).toBeUndefined();
  });

  it("writes a fixed value to every record without its own, and keeps a record's own value", async () => {
    expect((await saveFixedValues('campaign: Summer')).errors ?? {}).toEqual({});
    const result = await deliver([
      { asset_id: assetId(1), description: 'no campaign of its own' },
      { asset_id: assetId(2), campaign: 'Winter' },
      { asset_id: assetId(3), campaign: null },
      { asset_id: assetId(4), _isDeleted: true },
    ]);
    expect(result).toEqual({ success: true });
    await emulator.settle();
    expect(assetById(assetId(1))?.property_campaign).toEqual(['summer']);
    expect(assetById(assetId(2))?.property_campaign).toEqual(['winter']);
    expect(assetById(assetId(3))?.property_campaign).toEqual(['summer']);
    // A delete is not a record to fill: archived, with no campaign written.
    const deleteWrite = emulator
      .requests(POST)
      .find((request) => request.path === `/api/v4/media/${assetId(4)}/`);
    expect(deleteWrite?.formKeys).toEqual(['archive']);
    expect(assetById(assetId(1))?.propertyOptions).toEqual([SUMMER]);
    expect(assetById(assetId(2))?.propertyOptions).toEqual([WINTER]);
  });
});
