import { beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { readRejectionLog } from '../../src/lib/state/rejection-log';
import {
  APAC,
  assetId,
  configureApp,
  deliver,
  EMEA,
  portalSeed,
  SUMMER,
  TOKEN,
  watchInfo,
  WINTER,
} from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// deliver() against the emulator: what ends up in Bynder and what OCP is told, for mixed batches,
// duplicates, delete policies and bad values. Assertions read the emulator's state and request log.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const DELETE = 'DELETE /api/v4/media/:id/';
const MISSING = assetId(999);
const GONE = assetId(998);

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(async () => {
  emulator.seed(portalSeed());
  emulator.faults.clear();
  await configureApp(emulator.url);
});

describe('deliver against the emulator: outcomes', () => {
  it('applies a mixed batch exactly: upserts, deletes, bad records and a missing asset', async () => {
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: assetId(1), description: 'new 1', campaign: 'Winter', region: 'EMEA,APAC' },
      { asset_id: assetId(2), usage_notes: 'internal only' },
      { asset_id: assetId(3), _isDeleted: true },
      { asset_id: GONE, _isDeleted: true },
      { asset_id: assetId(4), campaign: 'Sumer', description: 'never sent' },
      { asset_id: MISSING, description: 'no such asset' },
      'not a record',
      { description: 'no key' },
    ]);
    await emulator.settle();

    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toMatch(/^4 of 8 records rejected: /);
    expect(result.failureReason).toContain(`asset_id "${assetId(4)}" field "campaign"`);
    expect(result.failureReason).toContain(`asset_id "${MISSING}": asset not found in Bynder`);
    expect(result.failureReason).toContain('record #7: not an object');
    expect(result.failureReason).toContain('record #8: no "asset_id" value');
    // The unknown option and the missing asset are Bynder's state: those two are kept for a retry.
    expect(result.failureReason).toMatch(
      /only; 2 rejected records kept for a retry once Bynder has the missing option or asset; 4 applied$/,
    );

    expect(assetById(assetId(1))).toMatchObject({
      description: 'new 1',
      property_campaign: ['winter'],
      property_region: ['emea', 'apac'],
    });
    expect(assetById(assetId(1))?.propertyOptions).toEqual(expect.arrayContaining([WINTER, EMEA, APAC]));
    expect(assetById(assetId(2))).toMatchObject({
      description: 'original 2',
      property_usage_notes: 'internal only',
    });
    expect(assetById(assetId(3))).toMatchObject({ archive: true });
    expect(assetById(assetId(4))).toMatchObject({ description: 'original 4' });
    expect(assetById(assetId(4))?.property_campaign ?? []).toEqual([]);

    // One bulk read of the targeted assets, then one request per record that changes something;
    // none for the bad ones. The archive of an asset the read did not answer is sent (a read may
    // answer fewer assets than asked): Bynder's 404 settles it as already gone.
    expect(emulator.requests('GET /api/v4/media/')).toHaveLength(1);
    const posts = emulator.requests(POST).map((r) => [r.path.split('/')[4], r.status]);
    expect(posts.sort()).toEqual(
      [
        [assetId(1), 202],
        [assetId(2), 202],
        [assetId(3), 202],
        [GONE, 404],
        [MISSING, 404],
      ].sort(),
    );
    expect(emulator.requests(DELETE)).toEqual([]);

    const log = await readRejectionLog(storage.kvStore);
    expect(log.map((e) => [e.key, e.field])).toEqual(
      expect.arrayContaining([
        [assetId(4), 'campaign'],
        [MISSING, undefined],
        [undefined, undefined],
        [undefined, 'asset_id'],
      ]),
    );
    expect(JSON.stringify(log)).not.toContain(TOKEN);
  });

  it('sends one request for three events on one key, and the last one wins', async () => {
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: assetId(5), description: 'first', campaign: 'Summer' },
      { asset_id: assetId(5), description: 'second' },
      { asset_id: assetId(5), description: 'third' },
    ]);
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(emulator.requests(POST)).toHaveLength(1);
    // Later events win field by field; a field only the first event carried is still applied.
    expect(assetById(assetId(5))).toMatchObject({ description: 'third', property_campaign: ['summer'] });
    expect(assetById(assetId(5))?.propertyOptions).toEqual([SUMMER]);
  });

  it('rejects only the record with an unknown option, and the reason lists the known options', async () => {
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: assetId(6), campaign: 'Autumn' },
      { asset_id: assetId(7), campaign: 'Summer' },
    ]);
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toContain(`asset_id "${assetId(6)}" field "campaign"`);
    expect(result.failureReason).toContain('Autumn');
    expect(result.failureReason).toMatch(/Summer.*Winter|Winter.*Summer/);
    expect(emulator.requests(POST).map((r) => r.path)).toEqual([`/api/v4/media/${assetId(7)}/`]);
    expect(assetById(assetId(7))?.property_campaign).toEqual(['summer']);
    expect(assetById(assetId(6))?.property_campaign ?? []).toEqual([]);
  });

  it('drops an unknown option and applies the rest when unknown options are set to "drop"', async () => {
    await configureApp(emulator.url, { unknown_options: 'drop' });
    const result = await deliver([{ asset_id: assetId(6), campaign: 'Autumn', description: 'kept' }]);
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(assetById(assetId(6))).toMatchObject({ description: 'kept' });
  });

  it('clears a value for an empty field only when empty values are set to "clear"', async () => {
    await deliver([{ asset_id: assetId(8), usage_notes: 'set' }]);
    await deliver([{ asset_id: assetId(8), usage_notes: '' }]);
    await emulator.settle();
    expect(assetById(assetId(8))?.property_usage_notes).toBe('set');
    await configureApp(emulator.url, { empty_values: 'clear' });
    emulator.clearRequests();
    await deliver([{ asset_id: assetId(8), usage_notes: '' }]);
    await emulator.settle();
    expect(emulator.requests(POST)).toHaveLength(1);
    expect(assetById(assetId(8))?.property_usage_notes ?? '').toEqual('');
  });
});

describe('deliver against the emulator: hostile input and reporting', () => {
  it('survives hostile items: each is rejected or sent safely, nothing else is touched', async () => {
    const before = emulator.snapshot().assets;
    emulator.clearRequests();
    const result = await deliver([
      null,
      42,
      ['array'],
      JSON.parse('{"asset_id": "__proto__", "__proto__": {"admin": true}, "constructor": {"prototype": 1}}'),
      { asset_id: '../../api/v4/metaproperties?x=1#frag', description: 'url-like id' },
      { asset_id: 'A\u0000B', description: 'NUL' },
      { asset_id: assetId(1), campaign: 'x'.repeat(1_000_000) },
      { asset_id: assetId(2), name: { not: 'text' } },
    ]);
    await emulator.settle();
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason?.length).toBeLessThanOrEqual(1_000);
    // Nothing was sendable: the url-like id fails the asset id validator before any request.
    expect(emulator.requests(POST)).toEqual([]);
    expect(result.failureReason).toContain('is not a Bynder asset id');
    expect(emulator.snapshot().assets).toEqual(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('logs one line per batch with counts, requests and elapsed time, and no secret', async () => {
    const lines = watchInfo();
    try {
      await deliver([
        { asset_id: assetId(1), description: 'a' },
        { asset_id: assetId(2), campaign: 'Sumer' },
      ]);
      const report = lines.lines().filter((line) => line.startsWith('Bynder delivery for sync'));
      expect(report).toHaveLength(1);
      expect(report[0]).toMatch(
        /2 records: 1 applied \(0 unchanged\), 1 rejected, 0 pending; 1 kept for a retry; \d+ requests \(0 answered 429, 0 failed as unavailable\) in \d+ ms/,
      );
      expect(lines.lines().join('\n')).not.toContain(TOKEN);
    } finally {
      lines.restore();
    }
  });
});

describe('deliver against the emulator: delete policies', () => {
  it('archives under "archive" (the default): the asset stays, archived', async () => {
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(1), _isDeleted: true }])).toEqual({ success: true });
    await emulator.settle();
    expect(assetById(assetId(1))).toMatchObject({ archive: true });
    expect(emulator.requests(DELETE)).toEqual([]);
  });

  it('deletes to the trash under "delete"', async () => {
    await configureApp(emulator.url, { delete_policy: 'delete' });
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(2), _isDeleted: true }])).toEqual({ success: true });
    const state = emulator.snapshot();
    expect(state.assets.map((a) => a.id)).not.toContain(assetId(2));
    expect(state.trash.map((a) => a.id)).toContain(assetId(2));
    expect(emulator.requests(DELETE).map((r) => r.status)).toEqual([204]);
    expect(emulator.requests(POST)).toEqual([]);
  });

  it('sends nothing under "ignore" and reports success', async () => {
    await configureApp(emulator.url, { delete_policy: 'ignore' });
    emulator.clearRequests();
    expect(await deliver([{ asset_id: assetId(3), _isDeleted: true }])).toEqual({ success: true });
    expect(emulator.requests().filter((r) => r.route === POST || r.route === DELETE)).toEqual([]);
    expect(assetById(assetId(3))).toMatchObject({ archive: false });
  });

  it.each(['archive', 'delete'] as const)(
    'treats deleting a missing asset as success under "%s" (sent without reading first: Bynder answers 404)',
    async (policy) => {
      await configureApp(emulator.url, { delete_policy: policy, change_detection: 'write_all' });
      emulator.clearRequests();
      expect(await deliver([{ asset_id: MISSING, _isDeleted: true }])).toEqual({ success: true });
      expect(emulator.requests({ route: policy === 'delete' ? DELETE : POST }).map((r) => r.status)).toEqual([
        404,
      ]);
    },
  );

  it('writes upserts with the metaproperty ids the field model maps them to', async () => {
    emulator.clearRequests();
    await deliver([{ asset_id: assetId(9), region: 'APAC', usage_notes: 'n' }]);
    await emulator.settle();
    const asset = assetById(assetId(9));
    expect(asset?.propertyOptions).toEqual([APAC]);
    expect(asset).toMatchObject({ property_region: ['apac'], property_usage_notes: 'n' });
  });
});
