import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { DeliverOutbox } from '../../src/jobs/DeliverOutbox';
import { KEPT_SHARD_BYTES, readOutbox, slotOf } from '../../src/lib/state/outbox';
import { METAPROPERTY_FRESH_MS } from '../../src/lib/fields/metaproperty-cache';
import {
  assetId,
  CAMPAIGN,
  configureApp,
  deliver,
  portalSeed,
  TOKEN,
  watchInfo,
} from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Records rejected because of Bynder's state (a value that is no option, an asset no key finds) are
// kept in the outbox with their cause and delivered again when that cause may have changed: the
// field model's content changed, the settings were saved, or (a missing asset) the scheduled job
// looks again. Once per change, never every batch; a record rejected for its own data is not kept.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const OUTBOX_LINE = /^Bynder delivery for sync "parked records \(outbox\)"/;

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);
const kept = async () => (await readOutbox(storage.kvStore)).kept;

/** Adds an option to the Campaign metaproperty, as an administrator would in Bynder. */
async function addCampaignOption(name: string, label: string): Promise<void> {
  const answer = await callEmulator(emulator, 'POST', `/api/v4/metaproperties/${CAMPAIGN}/options/`, {
    form: { data: JSON.stringify({ name, label }) },
  });
  expect(answer.status).toBe(201);
}

/** Past the cached field model's freshness, `times` over: the next batch lists the metaproperties again. */
function modelAges(times: number): void {
  BynderAssetSync.clockOverride = clockAhead(times * (METAPROPERTY_FRESH_MS + 1_000));
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 12 }));
  emulator.faults.clear();
  emulator.configure({ tokens: [{ token: TOKEN }], optionCreateGapMs: 0 });
  await configureApp(emulator.url);
  emulator.clearRequests();
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe('records kept because of Bynder', () => {
  it('keeps a record whose value is no option, tries it once per change of the field model, and lands it once the option exists', async () => {
    const info = watchInfo();
    const first = await deliver([{ asset_id: assetId(1), campaign: 'Autumn', description: 'autumn 1' }]);
    expect(first).toMatchObject({ success: false, retryable: false });
    expect(first.failureReason).toContain('1 rejected record kept for a retry');
    expect(info.lines().some((line) => /1 rejected, 0 pending; 1 kept for a retry;/.test(line))).toBe(true);
    const [record] = await kept();
    expect(record).toMatchObject({ key: assetId(1), keptFor: 'option', tries: 0 });
    expect(record?.cause).toContain('"Autumn" is not an option of "Campaign"');
    expect((await readOutbox(storage.kvStore)).records).toEqual([]); // nothing parked

    // Nothing changed in Bynder: later batches do not try it again.
    for (const n of [2, 3]) {
      expect(await deliver([{ asset_id: assetId(n), description: 'x' }])).toEqual({ success: true });
    }
    expect((await kept())[0]?.tries).toBe(0);

    // Another option appears: the model changed, so the kept record is tried once, and stays kept.
    await addCampaignOption('spring', 'Spring');
    modelAges(1);
    expect(await deliver([{ asset_id: assetId(4), description: 'x' }])).toEqual({ success: true });
    expect((await kept()).map((r) => [r.key, r.tries])).toEqual([[assetId(1), 1]]);
    for (const n of [5, 6]) {
      expect(await deliver([{ asset_id: assetId(n), description: 'x' }])).toEqual({ success: true });
    }
    expect((await kept())[0]?.tries).toBe(1);
    const outboxLines = info.lines().filter((line) => OUTBOX_LINE.test(line));
    expect(outboxLines).toHaveLength(1);

    // The option it needs is created: the next batch after the model sees it delivers the record.
    await addCampaignOption('autumn', 'Autumn');
    modelAges(2);
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(7), description: 'x' }])).toEqual({ success: true });
    await emulator.settle();
    info.restore();
    expect(await kept()).toEqual([]);
    expect(assetById(assetId(1))).toMatchObject({ description: 'autumn 1', property_campaign: ['autumn'] });
    expect(emulator.requests(POST).map((r) => r.path)).toContain(`/api/v4/media/${assetId(1)}/`);
  });

  it('tries kept records again once the settings are saved with other values, from the outbox job too', async () => {
    await deliver([{ asset_id: assetId(1), campaign: 'Autumn', description: 'kept 1' }]);
    expect(await kept()).toHaveLength(1);

    // Saved with the same values: nothing changed, nothing tried.
    const records = await storage.settings.get('records');
    await storage.settings.put('records', { ...records });
    await deliver([{ asset_id: assetId(2), description: 'x' }]);
    expect((await kept())[0]?.tries).toBe(0);

    // Saved to drop values that are no option: with no batch arriving, the outbox job tries the kept
    // record, and its description is written.
    await storage.settings.put('records', { ...records, unknown_options: 'drop' });
    const job = new DeliverOutbox({ jobId: 'kept-settings', scheduledAt: new Date(), parameters: {} });
    const run = await job.perform(await job.prepare({}));
    await emulator.settle();
    expect(run.state).toMatchObject({ keptTried: 1, keptRemaining: 0 });
    expect(await kept()).toEqual([]);
    expect(assetById(assetId(1))?.description).toBe('kept 1');
  });

  it('keeps a record whose asset is not found, and delivers it when the scheduled job finds the asset', async () => {
    const missing = assetId(30);
    const answer = await deliver([{ asset_id: missing, description: 'arrives later' }]);
    expect(answer).toMatchObject({ success: false, retryable: false });
    expect((await kept()).map((r) => [r.key, r.keptFor])).toEqual([[missing, 'asset']]);

    // Still missing: the job looks, and the record stays kept.
    const job = new DeliverOutbox({ jobId: 'kept-1', scheduledAt: new Date(), parameters: {} });
    const still = await job.perform(await job.prepare({}));
    expect(still.state).toMatchObject({ keptTried: 1, keptRemaining: 1 });
    expect((await kept()).map((r) => r.tries)).toEqual([1]);

    // The asset appears in Bynder; the job's next look delivers the record.
    const seed = portalSeed({ assets: 12 });
    seed.assets.push({ id: missing, name: 'Asset 30', description: 'seeded' });
    emulator.seed(seed);
    const found = await job.perform(await job.prepare({}));
    await emulator.settle();
    expect(found.state).toMatchObject({ keptTried: 1, keptRemaining: 0 });
    expect(assetById(missing)?.description).toBe('arrives later');
    expect(await kept()).toEqual([]);
  });

  it('does not keep a record rejected for its own data (a bad date): OCP sends it again when it changes', async () => {
    const answer = await deliver([
      { asset_id: assetId(1), date_published: '2026-03-02T09:30:00' },
      { asset_id: assetId(2), campaign: 'Autumn', date_published: 'soon' },
    ]);
    expect(answer).toMatchObject({ success: false, retryable: false });
    expect(answer.failureReason).not.toContain('kept for a retry');
    expect(await kept()).toEqual([]);
  });

  it('drops a kept record when a later event for its key is applied', async () => {
    await deliver([{ asset_id: assetId(2), campaign: 'Autumn', description: 'old' }]);
    expect(await kept()).toHaveLength(1);

    const later = await deliver([{ asset_id: assetId(2), campaign: 'Summer', description: 'new' }], {
      syncId: 'later',
    });
    expect(later).toEqual({ success: true });
    expect(await kept()).toEqual([]);

    // The option appears: nothing older is sent over the newer values.
    await addCampaignOption('autumn', 'Autumn');
    modelAges(1);
    await deliver([{ asset_id: assetId(3), description: 'x' }]);
    await emulator.settle();
    expect(assetById(assetId(2))).toMatchObject({ description: 'new', property_campaign: ['summer'] });
  });

  it('keeps a newer rejected event of a key in place of the older one', async () => {
    await deliver([{ asset_id: assetId(2), campaign: 'Autumn' }]);
    await deliver([{ asset_id: assetId(2), campaign: 'Autumn sale' }], { syncId: 'later' });
    expect((await kept()).map((r) => r.item)).toEqual([{ asset_id: assetId(2), campaign: 'Autumn sale' }]);
  });

  it('keeps kept records within their byte bound per row, counting and reporting what goes past it', async () => {
    // Three records of one outbox row, about 30 KB each: two fit the row's bound for kept records.
    const inRow = Array.from({ length: 3_000 }, (_, i) => assetId(i + 1))
      .filter((id) => slotOf(id, '') === slotOf(assetId(232), ''))
      .slice(0, 3);
    expect(inRow).toHaveLength(3);
    const notes = 'n'.repeat(30_000);
    const answers = [];
    for (const id of inRow) {
      answers.push(await deliver([{ asset_id: id, campaign: 'Autumn', usage_notes: notes }]));
    }
    // The third fits only once the oldest of the row goes: dropped, counted and said.
    expect(answers.map((a) => a.failureReason?.includes('1 rejected record kept for a retry'))).toEqual([
      true,
      true,
      true,
    ]);
    expect(answers.map((a) => a.failureReason?.includes('not kept for a retry'))).toEqual([
      false,
      false,
      true,
    ]);
    const outbox = await readOutbox(storage.kvStore);
    expect(outbox.kept.map((r) => r.key)).toEqual(inRow.slice(1));
    expect(outbox.keptDroppedTotal).toBe(1);
    expect(2 * 30_000).toBeLessThan(KEPT_SHARD_BYTES);
  });
});
