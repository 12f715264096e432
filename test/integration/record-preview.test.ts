import { storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { SECTION } from '../../src/lib/config';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { assetId, configureApp, type DeliverySettings, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { fakeClock } from '../helpers/fake-clock';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// "Try a record" in the settings form: the real handler, against the emulator. What it shows is
// read from Bynder (each field's verdict, the target and what would change); what it sends is only
// reads, each through the install's request budget; what it stores is its answer, escaped.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const lifecycle = new Lifecycle();

async function configure(settings: DeliverySettings = {}): Promise<void> {
  emulator.seed(portalSeed({ assets: 3 }));
  await configureApp(emulator.url, settings);
  emulator.clearRequests();
}

/** Presses Preview with `record` pasted; the toast, the field errors and the stored answer. */
async function preview(record: unknown) {
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  const form: SubmittedFormData = { record: text };
  const result = await lifecycle.onSettingsForm(SECTION.try_record, 'preview', form);
  const response = result.getResponse(SECTION.try_record);
  const stored = await storage.settings.get(SECTION.try_record);
  return {
    toast: response.toasts?.[0],
    errors: response.errors,
    /** The answer as OCP shows it: character references (escaped outside text) as their characters. */
    answer: shown(typeof stored.answer === 'string' ? stored.answer : ''),
    /** The answer as stored, outside text escaped. */
    raw: typeof stored.answer === 'string' ? stored.answer : '',
  };
}

const shown = (text: string) =>
  text.replace(/&#(\d+);/g, (_ref, code: string) => String.fromCharCode(Number(code)));

/** Every request the emulator heard was a read. */
function expectOnlyReads(): void {
  const methods = new Set(emulator.requests().map((request) => request.method));
  expect([...methods]).toEqual(['GET']);
}

beforeEach(() => configure());

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('Try a record: by asset id', () => {
  it('shows each accepted field with its value as sent, held → new, and writes nothing', async () => {
    const { toast, answer } = await preview({
      asset_id: assetId(1),
      description: 'new text',
      campaign: 'Summer',
    });

    expect(toast).toMatchObject({ intent: 'success' });
    expect(toast?.message).toContain('would be written: 2 fields would change');
    expect(toast?.message).toContain('Nothing was written to Bynder');
    expect(answer).toContain(`asset ${assetId(1)} exists`);
    expect(answer).toContain('**description**: accepted, sent as “new text”: “original 1” → “new text”');
    // The emulator's read leaves out an unset option field: not compared, so it would be sent.
    expect(answer).toContain('**campaign**: accepted, sent as “Summer”: would be sent');
    expectOnlyReads();
    const asset = await callEmulator(emulator, 'GET', `/api/v4/media/${assetId(1)}/`);
    expect(asset.json).toMatchObject({ description: 'original 1' });
  });

  it('says "unchanged" for a value Bynder holds already', async () => {
    const { toast, answer } = await preview({ asset_id: assetId(2), description: 'original 2' });

    expect(toast?.message).toContain('Bynder holds every value already; nothing would be written');
    expect(answer).toContain('**description**: accepted, sent as “original 2”: unchanged');
    expectOnlyReads();
  });

  it('shows a rejected field with its fix, beside the accepted ones', async () => {
    const { toast, answer } = await preview({ asset_id: assetId(1), campaign: 'Sumer', description: 'ok' });

    expect(toast).toMatchObject({ intent: 'warning' });
    expect(toast?.message).toContain('would be rejected (1 problem)');
    expect(answer).toMatch(/\*\*campaign\*\*: rejected: .*Sumer.* is not an option of .*Campaign/);
    expect(answer).toContain('Summer');
    expect(answer).toContain('**description**: accepted, sent as “ok”');
    // A rejected record sends nothing, and needs no read of its asset.
    expect(emulator.requests('GET /api/v4/media/')).toEqual([]);
    expectOnlyReads();
  });

  it('says when the asset does not exist', async () => {
    const { toast, answer } = await preview(`asset_id: ${assetId(99)}\ndescription: new`);

    expect(toast?.message).toContain('would be rejected');
    expect(answer).toContain('no such asset (asset not found in Bynder');
    expectOnlyReads();
  });

  it('previews a delete: what the delete policy would do to the asset', async () => {
    const { answer } = await preview({ asset_id: assetId(3), _isDeleted: true });

    expect(answer).toContain('the asset would be archived');
    expectOnlyReads();
  });

  it('takes its reads from the request budget: it waits for the slot another invocation holds', async () => {
    const clock = fakeClock(Date.now());
    BynderAssetSync.clockOverride = clock;
    await storage.kvStore.put(KV_ROWS.requestBudget.key, { next: clock.now() + 5_000, updates: 1 });

    const { toast } = await preview({ asset_id: assetId(1), description: 'paced' });

    expect(toast?.message).toContain('would be written');
    // Time moved only as the preview waited for its first slot, 5 s ahead.
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(4_900);
    expectOnlyReads();
  });

  it('refuses a record it cannot read, naming the fix, and sends nothing', async () => {
    const { toast, errors } = await preview('{"asset_id": ');

    expect(toast).toMatchObject({ intent: 'danger' });
    expect(JSON.stringify(errors)).toContain('not valid JSON');
    expect(emulator.requests()).toEqual([]);
  });
});

describe('Try a record: by external key', () => {
  beforeEach(() => configure({ primary_key: 'external_key', external_key_metaproperty: 'external_id' }));

  it('names the asset the key finds, and that a key no asset holds finds none', async () => {
    const found = await preview({ external_id: 'SKU-3', description: 'by key' });
    expect(found.answer).toContain(`by external key external_id = "SKU-3": asset ${assetId(3)} exists`);
    expect(found.answer).toContain('“original 3” → “by key”');

    const missing = await preview({ external_id: 'SKU-404', description: 'nowhere' });
    expect(missing.answer).toContain('no such asset (no asset has external_id');
    expectOnlyReads();
  });
});

describe('Try a record: options "create the option" would add', () => {
  beforeEach(() => configure({ unknown_options: 'create' }));

  it('names the option a delivery would create, and creates none', async () => {
    const { toast, answer } = await preview({ asset_id: assetId(1), campaign: 'Autumn', description: 'x' });

    expect(toast?.message).toContain('would be written');
    expect(answer).toContain('"Autumn" would be created as option of "Campaign"');
    expect(answer).toContain('**description**: accepted, sent as “x”: “original 1” → “x”');
    expectOnlyReads();
  });
});

describe('Try a record: hostile text', () => {
  it('rejects a record nested past the bounds without reading it field by field', async () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100; level += 1) deep = [deep];
    const { toast, answer } = await preview({ asset_id: assetId(1), description: deep });

    expect(toast?.message).toContain('would be rejected');
    expect(answer).toContain('nested');
  });

  it('escapes keys and values for Markdown and HTML, and never shows a secret', async () => {
    const hostile = '[click](https://evil.example) <img src=x onerror=alert(1)> **bold**\n# heading';
    const { raw: answer, toast } = await preview({
      asset_id: assetId(1),
      description: hostile,
      [`<script>x</script>[k](https://evil.example)`]: 'v',
      usage_notes: TOKEN,
    });

    expect(answer).not.toContain('[click](');
    expect(answer).not.toContain('](https');
    expect(answer).not.toContain('<img');
    expect(answer).not.toContain('<script');
    expect(answer).toContain('&#60;img');
    expect(answer).toContain('&#91;click&#93;');
    // No line of the answer starts a heading, however the record's text breaks lines.
    expect(answer.split('\n').some((line) => line.startsWith('#'))).toBe(false);
    expect(answer).not.toContain(TOKEN);
    expect(JSON.stringify(await storage.settings.get(SECTION.try_record))).not.toContain(TOKEN);
    expect(JSON.stringify(toast)).not.toContain(TOKEN);
    expectOnlyReads();
  });
});
