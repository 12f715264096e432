import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { loadKeyCache } from '../../src/lib/delivery/key-cache';
import { pinFieldNames } from '../../src/lib/fields/field-name-pins';
import { readMetapropertyHead } from '../../src/lib/fields/metaproperty-cache';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';
import { claimHourly, hasOpenClaim } from '../../src/lib/notices/notice-throttle';
import { createInstallBudget } from '../../src/lib/pacing/install-budget';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { READINESS_ROW } from '../../src/lib/settings/readiness';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { ledgerKeyOf, readLedger } from '../../src/lib/state/ledger';
import { readOutbox, settleOutbox, slotKey, slotOf } from '../../src/lib/state/outbox';
import { readRecentWrites } from '../../src/lib/state/recent-writes';
import { appendRejections, readRejectionLog } from '../../src/lib/state/rejection-log';
import { readStateRow } from '../../src/lib/state/state-row';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// An install upgraded from the version before the state-row layer keeps what its rows hold. The
// store below is written in that version's row shapes, exactly as its code wrote them (the
// `updates` counter its shared-row writer added included), and read and updated through this one.

const NOW = Date.UTC(2026, 11, 1, 12);
const PORTAL = 'https://portal.example.com';
const kv = () => storage.kvStore;

function parked(key: string, i: number) {
  return {
    id: `parked-${i}`,
    key,
    sync: 'sync-before-upgrade',
    item: { asset_id: key, description: `parked ${i}` },
    parkedAt: NOW - 60_000 + i,
    cause: 'not sent: credentials refused',
    fingerprint: `${i}`.padStart(64, 'f'),
    position: 0,
  };
}

/** The rows as the previous version left them. */
async function writePreviousVersionStore(): Promise<void> {
  const sharded = parked('ASSET-SHARDED', 2);
  const slot = slotOf(sharded.key, sharded.fingerprint);
  // The head of an install that went from the single-row format to shards: both kinds of records.
  await kv().put(KV_ROWS.outbox.key, {
    records: [parked('ASSET-LEGACY', 1)],
    shards: { [String(slot)]: [1, 3] },
    droppedTotal: 2,
    dropped: [{ key: 'ASSET-LOST', sync: 'sync-before-upgrade', droppedAt: NOW - 120_000 }],
    updates: 5,
  });
  await kv().put(slotKey(slot), { records: [sharded], version: 3, updates: 3 });
  await kv().put(KV_ROWS.fieldNamePins.key, {
    portalUrl: PORTAL,
    ids: ['ID-REGION', 'ID-REGION-2'],
    names: ['region', 'region_1a2b3c'],
  });
  await kv().put(KV_ROWS.rejections.key, {
    entries: [
      {
        at: NOW - 5_000,
        sync: 'Assets',
        key: 'ASSET-9',
        subject: 'asset_id "ASSET-9"',
        field: 'campaign',
        reason: '"Nope" is not an option',
        records: 1,
      },
      // A record whose key was never read: the key field is absent (JSON drops undefined).
      { at: NOW - 4_000, sync: 'Assets', subject: 'record #3', reason: 'not an object', records: 1 },
    ],
    updates: 2,
  });
  await kv().put(ledgerKeyOf('sync-1', ['batch']), {
    applied: ['fp-1', 'fp-2'],
    since: NOW - 60_000,
    updatedAt: NOW - 30_000,
    updates: 2,
  });
  // Written before `since` existed: `updatedAt` dates the first entry.
  await kv().put(ledgerKeyOf('sync-1', ['older batch']), { applied: ['fp-3'], updatedAt: NOW - 60_000 });
  await kv().put(KV_ROWS.notices.key, {
    claims: [
      { key: '|credentials_refused', at: NOW - 3 * 3_600_000, token: 't-1', open: true },
      { key: 'sync-1|parked', at: NOW - 60_000, token: 't-2' },
    ],
  });
  await kv().put(KV_ROWS.recentWrites.key, {
    ids: ['ASSET-RECENT'],
    until: [NOW + 200_000],
    updates: 4,
  });
  await kv().put(KV_ROWS.requestBudget.key, { next: NOW + 500, updates: 1 });
  await kv().put(KV_ROWS.rateLimitBlock.key, { blockedUntil: NOW + 90_000 });
  await kv().put(KV_ROWS.externalKeys.key, { metaproperty: 'ID-SKU', keys: ['SKU-1'], ids: ['ASSET-1'] });
  await kv().put(KV_ROWS.readiness.key, {
    fingerprint: 'abc',
    checkedAt: NOW - 1_000,
    ready: true,
    message: `Connected to ${PORTAL}`,
  });
  await kv().put(KV_ROWS.metaproperties.key, { portalUrl: PORTAL, fetchedAt: NOW - 1_000, json: '[]' });
}

beforeEach(async () => {
  resetLocalStores();
  await writePreviousVersionStore();
});

describe("an upgraded install's rows, read and updated through the state-row layer", () => {
  it('reads every row as the previous version wrote it', async () => {
    const clock = fakeClock(NOW);
    const outbox = await readOutbox(kv());
    expect(outbox.records.map((r) => r.key)).toEqual(['ASSET-LEGACY', 'ASSET-SHARDED']);
    expect(outbox.droppedTotal).toBe(2);
    expect(outbox.dropped.map((d) => d.key)).toEqual(['ASSET-LOST']);

    const pins = await pinFieldNames(
      kv(),
      PORTAL,
      [{ id: 'ID-REGION-2', name: 'Région' }],
      STANDARD_FIELD_NAMES,
    );
    expect([...pins.names]).toEqual([['ID-REGION-2', 'region_1a2b3c']]);

    expect((await readRejectionLog(kv())).map((e) => [e.key, e.reason])).toEqual([
      ['ASSET-9', '"Nope" is not an option'],
      [undefined, 'not an object'],
    ]);
    const ledger = await readLedger(kv(), { items: ['batch'], sync: { id: 'sync-1' } }, clock);
    expect([...ledger.applied]).toEqual(['fp-1', 'fp-2']);
    const older = await readLedger(kv(), { items: ['older batch'], sync: { id: 'sync-1' } }, clock);
    expect([...older.applied]).toEqual(['fp-3']);
    expect(await hasOpenClaim(kv(), '|credentials_refused')).toBe(true);
    expect((await readRecentWrites(kv(), clock)).isRecent('ASSET-RECENT')).toBe(true);
    expect(await readRateLimitBlock(kv(), clock)).toEqual({ blockedUntil: NOW + 90_000 });
    expect([...(await loadKeyCache(kv(), 'ID-SKU')).ids]).toEqual([['SKU-1', 'ASSET-1']]);
    expect(await readStateRow(kv(), READINESS_ROW)).toMatchObject({ fingerprint: 'abc', ready: true });
    // The single-row metaproperty copy is a cache: read as no copy (listed again), never misread.
    expect(await readMetapropertyHead(kv(), PORTAL, silentLogger)).toBeUndefined();
  });

  it('keeps what the rows hold when this version updates them', async () => {
    const clock = fakeClock(NOW);
    // A new record parked beside the old ones; the old ones stay, the head's counters carry on.
    await settleOutbox(
      { items: [{ asset_id: 'ASSET-NEW' }], attempt: 3, sync: { id: 'sync-2', name: 'Sync 2' } },
      { outcomes: [{ key: 'ASSET-NEW', records: [0], status: 'pending', cause: 'not sent: test' }] },
      NOW,
      { kvStore: kv(), clock, logger: silentLogger },
    );
    const outbox = await readOutbox(kv());
    expect(outbox.records.map((r) => r.key)).toEqual(['ASSET-LEGACY', 'ASSET-SHARDED', 'ASSET-NEW']);
    expect(outbox.droppedTotal).toBe(2);

    // A new metaproperty is pinned; the old pins keep their names.
    const pins = await pinFieldNames(
      kv(),
      PORTAL,
      [
        { id: 'ID-REGION', name: 'region' },
        { id: 'ID-COLOUR', name: 'colour' },
      ],
      STANDARD_FIELD_NAMES,
    );
    expect(pins.names.get('ID-REGION')).toBe('region');
    expect(pins.names.get('ID-COLOUR')).toBe('colour');
    const row = await kv().get(KV_ROWS.fieldNamePins.key);
    expect(row.ids).toEqual(['ID-REGION', 'ID-REGION-2', 'ID-COLOUR']);

    await appendRejections(
      kv(),
      [{ key: 'ASSET-10', subject: 'asset_id "ASSET-10"', field: undefined, reason: 'gone', records: 1 }],
      { syncName: 'Assets', clock },
    );
    expect((await readRejectionLog(kv())).map((e) => e.key)).toEqual(['ASSET-9', undefined, 'ASSET-10']);

    // The open credentials claim is still open: the failure is not announced a second time.
    expect((await claimHourly(kv(), clock, ['|credentials_refused'], { open: true })).keys.size).toBe(0);

    // The request timeline continues from where the previous version left it.
    const budget = createInstallBudget({ requestsPerSecond: 10, clock, kvStore: kv() });
    budget.expect(1);
    await budget.acquire();
    expect((await kv().get(KV_ROWS.requestBudget.key)).next).toBeCloseTo(NOW + 500 + 102, 6);
  });
});
