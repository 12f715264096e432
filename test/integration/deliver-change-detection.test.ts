import { storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { ledgerKeyOf } from '../../src/lib/state/ledger';
import { RECENT_WRITE_WINDOW_MS } from '../../src/lib/state/recent-writes';
import {
  assetId,
  configureApp,
  deliver,
  portalSeed,
  REGION,
  TOKEN,
  watchInfo,
} from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Change detection against the emulator: the batch's assets are read in bulk first, a write Bynder
// already holds is dropped (applied, unchanged), a write is cut to the fields that differ, and an
// asset this install wrote within the safety window is always written again, whatever the read says.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const READ = 'GET /api/v4/media/';
const DELETE = 'DELETE /api/v4/media/:id/';

/** The fields of every modify sent since the last clearRequests, by asset id. */
const postedForms = () =>
  emulator
    .requests(POST)
    .map((r) => ({ id: /([0-9A-F-]+)\/$/.exec(r.path)?.[1], fields: r.formKeys, status: r.status }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)))
    .map(({ id, fields }) => ({ id, fields }));
const assetOf = (n: number) => emulator.snapshot().assets.find((a) => a.id === assetId(n));

/** A change made in Bynder itself (by a person, or another tool). */
async function editInBynder(n: number, form: Record<string, string>): Promise<void> {
  await callEmulator(emulator, 'POST', `/api/v4/media/${assetId(n)}/`, { form });
  await emulator.settle();
}

const record = (n: number, extra: Record<string, unknown> = {}) => ({
  asset_id: assetId(n),
  description: `synced ${n}`,
  campaign: 'summer',
  region: 'emea,apac',
  tags: 'spring,homepage',
  is_public: false,
  usage_notes: `notes ${n}`,
  date_published: '2026-03-01T10:00:00+01:00',
  ...extra,
});

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 20 }));
  emulator.faults.clear();
  emulator.configure({ applyDelayMs: 0 });
  emulator.clearRequests();
  await configureApp(emulator.url);
});
afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
});

/** Delivers as a later sync would: past the safety window of every earlier write. */
async function deliverLater(items: unknown[], options: { syncId?: string } = {}) {
  BynderAssetSync.clockOverride = clockAhead(RECENT_WRITE_WINDOW_MS + 60 * 60_000);
  return deliver(items, options);
}

describe('change detection (read_first, the default)', () => {
  it('skips every write Bynder already holds: one bulk read, no modify, counted unchanged', async () => {
    const batch = [1, 2, 3, 4, 5].map((n) => record(n));
    expect(await deliver(batch)).toEqual({ success: true });
    await emulator.settle();
    emulator.clearRequests();

    const info = watchInfo();
    expect(await deliverLater(batch, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(0);
    expect(emulator.requests(READ)).toHaveLength(1);
    expect(info.lines().join('\n')).toMatch(/5 records: 5 applied \(5 unchanged\), 0 rejected, 0 pending;/);
    info.restore();
  });

  it('writes only the field that differs', async () => {
    const batch = [1, 2].map((n) => record(n));
    await deliver(batch);
    await emulator.settle();
    await editInBynder(2, { description: 'edited in Bynder' });
    emulator.clearRequests();

    expect(await deliverLater(batch, { syncId: 'sync-2' })).toEqual({ success: true });
    await emulator.settle();
    expect(postedForms()).toEqual([{ id: assetId(2), fields: ['description'] }]);
    expect(assetOf(2)?.description).toBe('synced 2');
  });

  it('compares option ids as sets, tags as a set, dates as the encoder writes them, booleans as 0/1', async () => {
    await deliver([record(1)]);
    await emulator.settle();
    emulator.clearRequests();
    // The same values spelled otherwise: options in another order and by label, tags reordered,
    // the same moment in UTC, the boolean as 0.
    const respelled = record(1, {
      region: 'APAC, EMEA',
      campaign: 'Summer',
      tags: 'homepage, spring',
      date_published: '2026-03-01T09:00:00Z',
      is_public: 0,
    });
    expect(await deliverLater([respelled], { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(0);
  });

  it('writes a field whose current value the read cannot establish (an option name two options share)', async () => {
    const seed = portalSeed({ assets: 3 });
    const region = seed.metaproperties.region;
    if (region?.options) {
      region.options.push({ id: '9F8E7D6C-6666-4B33-8C44D55E66F77A88', name: 'emea', label: 'EMEA 2' });
    }
    emulator.seed(seed);
    await deliver([record(1, { region: 'EMEA' })]);
    await emulator.settle();
    emulator.clearRequests();

    await deliverLater([record(1, { region: 'EMEA' })], { syncId: 'sync-2' });
    expect(postedForms()).toEqual([{ id: assetId(1), fields: [`metaproperty.${REGION}`] }]);
  });

  it('never skips a write to an asset written within the safety window, though the read is stale', async () => {
    // Bynder applies writes later: the read right after a write still shows the old value.
    emulator.configure({ applyDelayMs: 60_000 });
    const start = Date.now();
    BynderAssetSync.clockOverride = clockAhead(0);
    expect(await deliver([{ asset_id: assetId(1), description: 'new' }])).toEqual({ success: true });
    // Put back at once, while "new" is not applied yet: the read says "original 1", the value wanted.
    emulator.clearRequests();
    BynderAssetSync.clockOverride = clockAhead(RECENT_WRITE_WINDOW_MS - 60_000 - (Date.now() - start));
    const back = [{ asset_id: assetId(1), description: 'original 1' }];
    expect(await deliver(back, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(postedForms()).toEqual([{ id: assetId(1), fields: ['description'] }]);
    await emulator.settle();
    expect(assetOf(1)?.description).toBe('original 1');

    // Past the window of the last write the read is trusted again.
    emulator.clearRequests();
    BynderAssetSync.clockOverride = clockAhead(3 * RECENT_WRITE_WINDOW_MS);
    expect(await deliver(back, { syncId: 'sync-3' })).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(0);
  });

  it('drops the archive of an asset the read shows archived; sends the archive or delete of one it does not answer, which Bynder settles with 404', async () => {
    await configureApp(emulator.url, { delete_policy: 'archive' });
    await editInBynder(2, { archive: 'true' });
    await callEmulator(emulator, 'DELETE', `/api/v4/media/${assetId(4)}/`);
    emulator.clearRequests();
    const archives = [2, 3, 4].map((n) => ({ asset_id: assetId(n), _isDeleted: true }));
    expect(await deliverLater(archives)).toEqual({ success: true });
    await emulator.settle();
    expect(postedForms()).toEqual([
      { id: assetId(3), fields: ['archive'] },
      { id: assetId(4), fields: ['archive'] },
    ]);
    expect(
      emulator
        .requests(POST)
        .map((r) => r.status)
        .sort(),
    ).toEqual([202, 404]);
    expect(assetOf(3)?.archive).toBe(true);

    // Policy "delete": whether Bynder's listing answers archived assets is undocumented, so an asset
    // it does not answer might still be one to move to the trash: the DELETE goes, 404 means done.
    await configureApp(emulator.url, { delete_policy: 'delete' });
    emulator.clearRequests();
    const gone = [{ asset_id: assetId(4), _isDeleted: true }];
    expect(await deliverLater(gone, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([404]);
  });

  it('sends the archive of an asset the bulk read left out, never counting it unchanged', async () => {
    // A read can answer fewer assets than it was asked for: asset 5 exists, is not archived, and the
    // listing leaves it out. Taking that for "gone" would count the archive applied, never sent.
    await configureApp(emulator.url, { delete_policy: 'archive' });
    emulator.configure({ unlistedIds: [assetId(5)] });
    try {
      const info = watchInfo();
      const archives = [5, 6].map((n) => ({ asset_id: assetId(n), _isDeleted: true }));
      const result = await deliverLater(archives);
      info.restore();
      await emulator.settle();
      expect(result).toEqual({ success: true });
      expect(emulator.requests(READ)).toHaveLength(1);
      expect(postedForms()).toEqual([
        { id: assetId(5), fields: ['archive'] },
        { id: assetId(6), fields: ['archive'] },
      ]);
      expect(assetOf(5)?.archive).toBe(true);
      expect(info.lines().join('\n')).not.toContain('unchanged');
    } finally {
      emulator.configure({ unlistedIds: [] });
    }
  });

  it('still rejects an upsert of an asset that does not exist (Bynder answers 404)', async () => {
    const missing = '00000000-0000-4000-9999999999999999';
    const result = await deliverLater([{ asset_id: missing, description: 'x' }]);
    expect(result).toMatchObject({ success: false, retryable: false });
    expect(result.failureReason).toContain('asset not found in Bynder');
  });

  it('sends every planned write when the read fails (Bynder unavailable through the retries)', async () => {
    const batch = [1, 2].map((n) => record(n));
    await deliver(batch);
    await emulator.settle();
    emulator.clearRequests();
    emulator.faults.add({ match: READ, status: 503, times: 4 });
    expect(await deliverLater(batch, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(READ).map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect(emulator.requests(POST)).toHaveLength(2);
  });

  it('puts unchanged records in the ledger as applied: the retry re-sends only the pending write', async () => {
    const batch = [1, 2, 3].map((n) => record(n));
    await deliver(batch);
    await emulator.settle();
    const retried = [record(1), record(2), record(3, { description: 'changed 3' })];
    emulator.clearRequests();
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(3)}/`, status: 503, times: 4 });
    const first = await deliverLater(retried, { syncId: 'sync-2' });
    expect(first).toMatchObject({ success: false, retryable: true });
    const ledger = await storage.kvStore.get(ledgerKeyOf('sync-2', retried));
    expect(ledger.applied).toHaveLength(2); // the two unchanged records

    emulator.clearRequests();
    const info = watchInfo();
    expect(await deliver(retried, { attempt: 2, syncId: 'sync-2' })).toEqual({ success: true });
    // Asset 3 was noted as written by attempt 1 (its write was sent, whatever came of it), so it is
    // written as planned, not compared; the two from the ledger are applied without a read or a write.
    expect(postedForms().map((posted) => posted.id)).toEqual([assetId(3)]);
    expect(postedForms()[0]?.fields).toHaveLength(7);
    expect(info.lines().join('\n')).toMatch(/3 records: 3 applied \(0 unchanged\)/);
    info.restore();
  });

  it('with write_all sends every write without reading', async () => {
    await configureApp(emulator.url, { change_detection: 'write_all' });
    const batch = [1, 2].map((n) => record(n));
    await deliver(batch);
    await emulator.settle();
    emulator.clearRequests();
    expect(await deliverLater(batch, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(2);
    expect(emulator.requests(READ)).toHaveLength(0);
  });

  it('in external-key mode uses the lookups as the read: one lookup per new key, no extra read', async () => {
    await configureApp(emulator.url, {
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
    });
    const batch = [1, 2, 3].map((n) => ({ external_id: `SKU-${n}`, description: `original ${n}` }));
    expect(await deliverLater(batch)).toEqual({ success: true });
    // Three lookups (property filter), answered with the assets: nothing else read, nothing written.
    expect(emulator.requests(READ)).toHaveLength(3);
    expect(emulator.requests(POST)).toHaveLength(0);

    // The next batch finds the keys cached: one bulk re-check read serves as the read.
    emulator.clearRequests();
    const changed = [1, 2, 3].map((n) => ({
      external_id: `SKU-${n}`,
      description: n === 2 ? 'new' : `original ${n}`,
    }));
    expect(await deliverLater(changed, { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(READ)).toHaveLength(1);
    expect(postedForms()).toEqual([{ id: assetId(2), fields: ['description'] }]);
  });
});
