import { resetLocalStores, storage } from '@zaiusinc/app-sdk';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { encodeListing } from '../../src/lib/fields/cached-listing';
import { pinFieldNames } from '../../src/lib/fields/field-name-pins';
import { serializeListing, writeMetapropertyCache } from '../../src/lib/fields/metaproperty-cache';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';
import { claimHourly, claimKey } from '../../src/lib/notices/notice-throttle';
import { createInstallBudget } from '../../src/lib/pacing/install-budget';
import { storeRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import type { Clock, KeyValueStore, Logger, StoredRow } from '../../src/lib/runtime-ports';
import { READINESS_ROW } from '../../src/lib/settings/readiness';
import { loadKeyCache, saveKeyCache } from '../../src/lib/delivery/key-cache';
import { takeBatchLease } from '../../src/lib/state/batch-lease';
import {
  advanceCreation,
  claimCreation,
  CREATION_FORM_BYTES,
  creationRowKey,
  enqueueCreation,
  MAX_QUEUED_CREATIONS,
  readCreationQueue,
} from '../../src/lib/state/creation-ledger';
import {
  CREATION_QUEUE_ROW,
  CREATION_ROW,
  HELD_DELETES_ROW,
  type KvRow,
  KV_ROWS,
  LEDGER_ROW,
  METAPROPERTY_SHARD_ROW,
  OUTBOX_SHARD_ROW,
} from '../../src/lib/state/kv-rows';
import { ledgerKeyOf, writeLedger } from '../../src/lib/state/ledger';
import { reserveDeletes } from '../../src/lib/state/delete-quota';
import { holdWrites } from '../../src/lib/state/held-deletes';
import { claimOption, optionClaimKey, settleOptionClaim } from '../../src/lib/state/option-claims';
import { readOutbox, settleOutbox, slotOf } from '../../src/lib/state/outbox';
import { noteRecentWrites } from '../../src/lib/state/recent-writes';
import { appendRejections, readRejectionLog } from '../../src/lib/state/rejection-log';
import { noteSyncStatus, STATUS_COUNTS } from '../../src/lib/state/sync-status';
import { replaceStateRow, STORE_RECORD_BYTES, storedBytes } from '../../src/lib/state/state-row';
import { productCodeMetaproperty } from '../bynder-emulator/product-codes';

// Every state row at its worst: each row's owner is driven through its own functions with the
// largest inputs the app meets (100,000 options in the field model, 10,000 parked records of
// realistic size, and for every other row more entries than it keeps, each as long as its schema
// lets it be), and the largest value ever written to each row is measured against its byte budget
// and against the about 400 KB per record OCP's store takes. A row over its budget, or a worst case
// the owner refused to hold (an update answered over-budget, records dropped), fails the bench.
// No network: the SDK's local kvStore, wrapped to see every value written.

export interface StateRowFigure {
  row: string;
  /** The worst case the row was driven to. */
  worstCase: string;
  /** What the row held at the end, as its owner reads it (checks the owner did not refuse it). */
  holds: string;
  largestBytes: number;
  budget: number;
  /** How many rows of this kind were written (shards, per-key rows). */
  rowsWritten: number;
  /** Why the row fails, when it does. */
  problem?: string;
}

interface TableRow {
  name: string;
  def: KvRow;
  prefix?: string;
}

/** The rows of docs/delivery.md's table, in its order; a key is matched exactly, else by prefix. */
const TABLE: readonly TableRow[] = [
  { name: 'applied ledger and batch lease', def: LEDGER_ROW, prefix: LEDGER_ROW.key },
  { name: 'outbox head', def: KV_ROWS.outbox },
  { name: 'outbox shards', def: OUTBOX_SHARD_ROW, prefix: OUTBOX_SHARD_ROW.keyPrefix },
  { name: 'rate-limit block', def: KV_ROWS.rateLimitBlock },
  { name: 'request budget', def: KV_ROWS.requestBudget },
  { name: 'recent writes', def: KV_ROWS.recentWrites },
  { name: 'metaproperty cache head', def: KV_ROWS.metaproperties },
  {
    name: 'metaproperty cache shards',
    def: METAPROPERTY_SHARD_ROW,
    prefix: METAPROPERTY_SHARD_ROW.keyPrefix,
  },
  { name: 'field-name pins', def: KV_ROWS.fieldNamePins },
  { name: 'rejection log', def: KV_ROWS.rejections },
  { name: 'notice claims', def: KV_ROWS.notices },
  { name: 'external-key cache', def: KV_ROWS.externalKeys },
  { name: 'readiness', def: KV_ROWS.readiness },
  { name: 'option claims', def: KV_ROWS.optionClaims },
  { name: 'creation ledger', def: CREATION_ROW, prefix: CREATION_ROW.keyPrefix },
  { name: 'delete counts', def: KV_ROWS.deleteCounts },
  { name: 'held deletes', def: HELD_DELETES_ROW, prefix: HELD_DELETES_ROW.keyPrefix },
  { name: 'sync status', def: KV_ROWS.syncStatus },
  { name: 'creation queue', def: CREATION_QUEUE_ROW },
];

function tableRowOf(key: string): TableRow | undefined {
  const exact = TABLE.find((row) => !row.prefix && row.def.key === key);
  if (exact) return exact;
  return TABLE.filter((row) => row.prefix !== undefined && key.startsWith(row.prefix)).sort(
    (a, b) => (b.prefix ?? '').length - (a.prefix ?? '').length,
  )[0];
}

/** The largest value written per key, seen through a wrapper around every write of `inner`. */
function measuringStore(inner: KeyValueStore): { store: KeyValueStore; largest: Map<string, number> } {
  const largest = new Map<string, number>();
  const note = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    largest.set(key, Math.max(largest.get(key) ?? 0, storedBytes(value)));
  };
  const reread = async (key: string) => note(key, await inner.get(key));
  const store: KeyValueStore = {
    get: (key, fields) => inner.get(key, fields),
    put: async (key, value, options) => {
      const answer = await inner.put(key, value, options);
      note(key, value);
      return answer;
    },
    patch: async (key, value, options) => {
      if (typeof value !== 'function') {
        const merged = await inner.patch(key, value, options);
        await reread(key);
        return merged;
      }
      let written: StoredRow | undefined;
      const answer = await inner.patch(key, (previous, opts) => {
        written = value(previous, opts);
        return written;
      });
      note(key, written);
      return answer;
    },
    delete: (key) => inner.delete(key),
    increment: async (key, field, amount, options) => {
      const answer = await inner.increment(key, field, amount, options);
      await reread(key);
      return answer;
    },
  };
  return { store, largest };
}

const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A clock that moves only when told (rows with windows keep everything written "now"). */
function benchClock(start = Date.UTC(2026, 0, 1)): Clock & { advance: (ms: number) => void } {
  let now = start;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Text of exactly `length` characters, different per `n`. */
const text = (n: number | string, length: number) =>
  `${n} `.padEnd(length, 'lorem ipsum dolor sit amet ').slice(0, length);
/** A Bynder-shaped id (36 characters). */
const uuid = (n: number) => `0B7100E0-C0DE-4000-8000-${n.toString(16).toUpperCase().padStart(12, '0')}`;

type Driver = (kv: KeyValueStore, clock: ReturnType<typeof benchClock>) => Promise<Record<string, string>>;

/** PARKED records of about 3 KB each (a description near Bynder's 2,500-character limit). */
export const PARKED_RECORDS = 10_000;
/** Options of the large taxonomy in the field model. */
export const TAXONOMY_OPTIONS = 100_000;
/** The largest batch the bench gives the applied ledger (OCP does not document its batch size). */
const LEDGER_BATCH = 1_000;

/** One driver per group of rows; each answers what the rows it drove hold, by table row name. */
const DRIVERS: Readonly<Record<string, { worstCase: Record<string, string>; run: Driver }>> = {
  ledger: {
    worstCase: {
      'applied ledger and batch lease': `a batch of ${LEDGER_BATCH.toLocaleString('en-US')} records all applied (one fingerprint each), leased`,
    },
    run: async (kv, clock) => {
      const items = Array.from({ length: LEDGER_BATCH }, (_, i) => ({ asset_id: uuid(i) }));
      const key = ledgerKeyOf(text('sync', 200), items);
      const { lease } = await takeBatchLease(kv, key, clock);
      const fingerprints = items.map((_, i) => text(`F${i}`, 32));
      // Checkpoints of 25 writes, as deliver() makes them.
      const applied = new Set<string>();
      for (let i = 0; i < fingerprints.length; i += 25) {
        const batch = fingerprints.slice(i, i + 25);
        await writeLedger(kv, { key, applied: new Set(applied), ...(lease ? { lease } : {}) }, batch, clock);
        batch.forEach((f) => applied.add(f));
      }
      const row = await kv.get(key);
      return {
        'applied ledger and batch lease': `${(row.applied as string[]).length} fingerprints, lease ${row.holder ? 'held' : 'absent'}`,
      };
    },
  },
  outbox: {
    worstCase: {
      'outbox head':
        'every shard counted, and 20 dropped records named by 512-character keys (a shard overflowed)',
      'outbox shards': `${PARKED_RECORDS.toLocaleString('en-US')} parked records of about 3 KB, then one shard overflowed by long keys`,
    },
    run: async (kv, clock) => {
      const deps = { kvStore: kv, clock, logger: quietLogger };
      const park = async (
        items: Array<Record<string, unknown>>,
        keyOf: (item: Record<string, unknown>) => string,
        sync: string,
      ) =>
        settleOutbox(
          { items, attempt: 3, sync: { id: sync, name: text(sync, 100) } },
          {
            outcomes: items.map((item, i) => ({
              key: keyOf(item),
              records: [i],
              status: 'pending' as const,
              cause: 'not sent: the credentials were refused (401)',
            })),
          },
          clock.now(),
          deps,
        );
      const byAsset = (item: Record<string, unknown>) => String(item.asset_id);
      for (let batch = 0; batch < PARKED_RECORDS / 1_000; batch += 1) {
        const items = Array.from({ length: 1_000 }, (_, i) => {
          const n = batch * 1_000 + i;
          return { asset_id: uuid(n), description: text(n, 2_450), usage_notes: text(n, 500) };
        });
        await park(items, byAsset, `sync-${batch}`);
      }
      const parked = (await readOutbox(kv)).records.length;
      // Long keys that land in one shard, enough to overflow it: the head names what was dropped.
      const longKeys: string[] = [];
      for (let n = 0; longKeys.length < 120; n += 1) {
        const key = text(`K${n}`, 512);
        if (slotOf(key, '') === slotOf(text('K0', 512), '')) longKeys.push(key);
      }
      await park(
        longKeys.map((key, i) => ({ external_key: key, description: text(i, 2_450) })),
        (item) => String(item.external_key),
        'sync-long-keys',
      );
      const outbox = await readOutbox(kv);
      return {
        'outbox head': `${outbox.droppedTotal} dropped (${Math.min(outbox.droppedTotal, 20)} named)`,
        'outbox shards': `${parked.toLocaleString('en-US')} of ${PARKED_RECORDS.toLocaleString('en-US')} parked before the overflow, ${outbox.records.length.toLocaleString('en-US')} after`,
      };
    },
  },
  pacing: {
    worstCase: {
      'rate-limit block': 'a 15-minute block stored',
      'request budget': '100 leases taken',
    },
    run: async (kv, clock) => {
      await storeRateLimitBlock(kv, { blockedUntil: clock.now() + 15 * 60_000 }, clock);
      const budget = createInstallBudget({ requestsPerSecond: 10, clock, kvStore: kv });
      budget.expect(100);
      for (let i = 0; i < 100; i += 1) await budget.acquire();
      await budget.release();
      return { 'rate-limit block': 'stored', 'request budget': 'leased' };
    },
  },
  recentWrites: {
    worstCase: { 'recent writes': '4,000 assets written within the window (past its 3,000 entries)' },
    run: async (kv, clock) => {
      for (let i = 0; i < 4_000; i += 100) {
        const ids = Array.from({ length: 100 }, (_, j) => uuid(i + j));
        await noteRecentWrites(kv, ids, { clock, sendingForMs: 45_000 });
        clock.advance(10);
      }
      const row = await kv.get(KV_ROWS.recentWrites.key);
      return {
        'recent writes': `${(row.ids as string[]).length} entries${row.overflowUntil ? ', the rest in overflowUntil' : ''}`,
      };
    },
  },
  metaproperties: {
    worstCase: {
      'metaproperty cache head': `the copy of a portal with ${TAXONOMY_OPTIONS.toLocaleString('en-US')} options`,
      'metaproperty cache shards': `${TAXONOMY_OPTIONS.toLocaleString('en-US')} options (product codes), plus 40 other metaproperties`,
    },
    run: async (kv, clock) => {
      const others = Array.from(
        { length: 40 },
        (_, n): Metaproperty => ({
          id: uuid(900_000 + n),
          name: `field_${n}`,
          label: text(`Field ${n}`, 60),
          type: 'select',
          isMultiselect: true,
          zindex: n,
          options: Array.from({ length: 50 }, (_unused, o) => ({
            id: uuid(800_000 + n * 100 + o),
            name: `option_${n}_${o}`,
            label: text(`Option ${o}`, 40),
            zindex: o,
          })),
        }), // a listing entry of Bynder's shape, built here
      );
      const taxonomy = productCodeMetaproperty(TAXONOMY_OPTIONS) as unknown as Metaproperty; // the emulator's seed is Bynder's shape
      const listing = encodeListing({ metaproperties: [taxonomy, ...others], skipped: [] });
      const { json, hash } = serializeListing(listing);
      const written = await writeMetapropertyCache(
        { kvStore: kv, clock, logger: quietLogger },
        {
          portalUrl: 'https://portal.example.com',
          fetchedAt: clock.now(),
          json,
          hash,
          longestOptionList: TAXONOMY_OPTIONS,
        },
      );
      return {
        'metaproperty cache head': written.kind,
        'metaproperty cache shards': `${written.kind}: ${Buffer.byteLength(json, 'utf8').toLocaleString('en-US')} bytes of compact JSON`,
      };
    },
  },
  pins: {
    worstCase: { 'field-name pins': '2,500 metaproperties with 100-character names (past its 2,000 pins)' },
    run: async (kv) => {
      const metaproperties = Array.from({ length: 2_500 }, (_, n) => ({
        id: uuid(n),
        name: text(`name_${n}`, 100),
      }));
      const pinned = await pinFieldNames(
        kv,
        'https://portal.example.com',
        metaproperties,
        STANDARD_FIELD_NAMES,
      );
      const row = await kv.get(KV_ROWS.fieldNamePins.key);
      return {
        'field-name pins': `${(row.ids as string[]).length} pins (${pinned.complete ? 'complete' : 'the rest unpinned'})`,
      };
    },
  },
  rejections: {
    worstCase: {
      'rejection log':
        '600 rejections with 512-character keys, subjects and 500-character reasons (past its 500 entries)',
    },
    run: async (kv, clock) => {
      for (let i = 0; i < 600; i += 50) {
        await appendRejections(
          kv,
          Array.from({ length: 50 }, (_, j) => ({
            key: text(`K${i + j}`, 512),
            subject: text(`record #${i + j}`, 512),
            field: text('field', 100),
            reason: text('not an option', 500),
            records: 1,
          })),
          { syncName: text('sync', 200), clock },
        );
      }
      const log = await readRejectionLog(kv);
      const newest = log.some((entry) => entry.key?.startsWith('K599 '));
      return { 'rejection log': `${log.length} entries${newest ? ', the newest kept' : ''}` };
    },
  },
  notices: {
    worstCase: {
      'notice claims': '600 causes of 200-character syncs claimed within the hour (past its 500)',
    },
    run: async (kv, clock) => {
      for (let i = 0; i < 600; i += 20) {
        const keys = Array.from({ length: 20 }, (_, j) =>
          claimKey(text(`sync-${i + j}`, 200), text('parked', 100)),
        );
        await claimHourly(kv, clock, keys, { open: true });
      }
      const row = await kv.get(KV_ROWS.notices.key);
      return { 'notice claims': `${(row.claims as unknown[]).length} claims` };
    },
  },
  keyCache: {
    worstCase: { 'external-key cache': '1,200 keys of 512 characters learned (past its 1,000)' },
    run: async (kv) => {
      const cache = await loadKeyCache(kv, 'external_id');
      for (let n = 0; n < 1_200; n += 1) cache.ids.set(text(`key-${n}`, 512), uuid(n));
      cache.changed = true;
      await saveKeyCache(kv, cache);
      const row = await kv.get(KV_ROWS.externalKeys.key);
      return { 'external-key cache': `${(row.keys as string[]).length} keys (oldest dropped to fit)` };
    },
  },
  readiness: {
    worstCase: { readiness: "a 2,000-character failure message (a long answer of Bynder's, cut)" },
    run: async (kv, clock) => {
      const written = await replaceStateRow(kv, READINESS_ROW, {
        fingerprint: 'f'.repeat(64),
        checkedAt: clock.now(),
        ready: false,
        message: text('Bynder answered 500', 2_000),
      });
      return { readiness: written.status };
    },
  },
  optionClaims: {
    worstCase: {
      'option claims':
        '300 new options of 255-character names created within the hour (more than its bytes hold)',
    },
    run: async (kv, clock) => {
      let mine = 0;
      for (let n = 0; n < 300; n += 1) {
        const key = optionClaimKey(uuid(n % 40), text(`option-${n}`, 255));
        if ((await claimOption(kv, clock, key, 'f'.repeat(36))).kind === 'mine') mine += 1;
        await settleOptionClaim(kv, clock, key, 'f'.repeat(36), uuid(500_000 + n));
      }
      const row = await kv.get(KV_ROWS.optionClaims.key);
      return {
        'option claims': `${Object.keys(row.claims as object).length} claims kept; ${mine} of 300 new options claimed`,
      };
    },
  },
  deleteCounts: {
    worstCase: {
      'delete counts':
        "210 syncs of 200-character ids deleting in each of the hour's 12 five-minute slots (past its 200 syncs)",
    },
    run: async (kv, clock) => {
      for (let slot = 0; slot < 12; slot += 1) {
        for (let n = 0; n < 210; n += 1) {
          await reserveDeletes(text(`sync-${n}`, 200), 10, 1_000_000, { kvStore: kv, clock });
        }
        clock.advance(5 * 60_000);
      }
      const row = await kv.get(KV_ROWS.deleteCounts.key);
      return { 'delete counts': `${(row.syncs as unknown[]).length} syncs counted` };
    },
  },
  heldDeletes: {
    worstCase: {
      'held deletes':
        '2,000 held deletes of 512-character keys carrying 2,000-character records (past what 16 rows hold)',
    },
    run: async (kv, clock) => {
      let held = 0;
      let overflow = 0;
      for (let batch = 0; batch < 5; batch += 1) {
        const writes = Array.from({ length: 400 }, (_, i) => {
          const key = text(`held-${batch}-${i}`, 512);
          return { key, kind: 'delete' as const, items: [{ external_id: key, description: text(i, 2_000) }] };
        });
        const answer = await holdWrites(
          writes,
          { id: text(`sync-${batch}`, 200), name: text('Sync', 100) },
          { kvStore: kv, clock },
        );
        held += answer.held.size;
        overflow += answer.overflow.size;
      }
      return { 'held deletes': `${held} held, ${overflow} did not fit (not held: the batch says so)` };
    },
  },
  syncStatus: {
    worstCase: { 'sync status': 'every count past a trillion, the text written' },
    run: async (kv, clock) => {
      const delta = Object.fromEntries(STATUS_COUNTS.map((count) => [count, 1e12]));
      await noteSyncStatus(
        delta,
        { kvStore: kv, settings: storage.settings, secrets: storage.secrets, clock, logger: quietLogger },
        { force: true },
      );
      const row = await kv.get(KV_ROWS.syncStatus.key);
      return { 'sync status': row.counts ? 'written' : 'not written' };
    },
  },
  creation: {
    worstCase: {
      'creation ledger': `a queued creation keeping a save form of ${CREATION_FORM_BYTES.toLocaleString('en-US')} bytes, a 512-character key, an 8,192-character URL, then failed with a 500-character reason`,
      'creation queue': `${(MAX_QUEUED_CREATIONS + 100).toLocaleString('en-US')} creations queued (past its ${MAX_QUEUED_CREATIONS.toLocaleString('en-US')})`,
    },
    run: async (kv, clock) => {
      const key = text('key', 512);
      const rowKey = creationRowKey(text('external_id', 100), key);
      // The form just within what a row keeps for the job (its JSON counted as the ledger counts it).
      const form: Record<string, string> = {};
      for (let n = 0; storedBytes(form) < CREATION_FORM_BYTES - 2_600; n += 1) {
        form[`metaproperty.${uuid(n)}`] = text(n, 2_500);
      }
      const holder = 'h'.repeat(36);
      const claim = await claimCreation(
        kv,
        rowKey,
        {
          key,
          file: 'f'.repeat(32),
          sync: text('sync', 200),
          until: clock.now() + 60_000,
          holder,
          source: {
            url: `https://files.example.com/${'p'.repeat(8_160)}`,
            name: text('file', 255),
            version: text('v', 200),
            form,
          },
        },
        { clock },
      );
      await advanceCreation(
        kv,
        rowKey,
        holder,
        { step: 'uploaded', importId: 'i'.repeat(200), queued: true },
        { clock },
      );
      await advanceCreation(
        kv,
        rowKey,
        holder,
        { step: 'failed', reason: text('conversion failed', 600) },
        { clock },
      );
      for (let n = 0; n < MAX_QUEUED_CREATIONS + 100; n += 1) {
        await enqueueCreation(kv, creationRowKey('external_id', `key-${n}`), { clock });
      }
      return {
        'creation ledger': `${claim.entry?.source ? 'source kept' : 'source NOT kept'}, ${Object.keys(form).length} form fields`,
        'creation queue': `${(await readCreationQueue(kv)).entries.length} queued`,
      };
    },
  },
};

/** Drives every row to its worst case; the figures, one per row of the table. */
export async function measureStateRows(progress: (line: string) => void): Promise<StateRowFigure[]> {
  resetLocalStores();
  const { store, largest } = measuringStore(storage.kvStore);
  const clock = benchClock();
  const holds = new Map<string, string>();
  const worstCases = new Map<string, string>();
  for (const [name, driver] of Object.entries(DRIVERS)) {
    const started = Date.now();
    for (const [row, worst] of Object.entries(driver.worstCase)) worstCases.set(row, worst);
    for (const [row, held] of Object.entries(await driver.run(store, clock))) holds.set(row, held);
    progress(`state rows: ${name} driven in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  resetLocalStores();
  return TABLE.map((row) => {
    const sizes = [...largest].filter(([key]) => tableRowOf(key) === row).map(([, bytes]) => bytes);
    const largestBytes = Math.max(0, ...sizes);
    const problem =
      sizes.length === 0
        ? 'never written'
        : largestBytes > row.def.byteBudget
          ? `over its budget by ${(largestBytes - row.def.byteBudget).toLocaleString('en-US')} bytes`
          : largestBytes > STORE_RECORD_BYTES
            ? "over OCP's per-record limit"
            : undefined;
    return {
      row: row.name,
      worstCase: worstCases.get(row.name) ?? '(no driver)',
      holds: holds.get(row.name) ?? '',
      largestBytes,
      budget: row.def.byteBudget,
      rowsWritten: sizes.length,
      ...(problem ? { problem } : {}),
    };
  });
}

/** The outcomes a row's owner must reach for its worst case to count (else it refused the case). */
const MUST_HOLD: Readonly<Record<string, RegExp>> = {
  'outbox shards': new RegExp(`^${PARKED_RECORDS.toLocaleString('en-US')} of`),
  'metaproperty cache head': /^published$/,
  'metaproperty cache shards': /^published:/,
  readiness: /^written$/,
  'creation ledger': /^source kept/,
  'creation queue': new RegExp(`^${MAX_QUEUED_CREATIONS} queued`),
  'delete counts': /^200 syncs counted$/,
  'held deletes': /^[1-9]\d* held, [1-9]\d* did not fit/,
  'sync status': /^written$/,
  // A claim refused for want of room would leave its records waiting for an hour.
  'option claims': /; 300 of 300 new options claimed$/,
  // Entries this long are kept as far as the bytes go (the oldest dropped to fit): the newest stay.
  'rejection log': /^[1-9]\d* entries, the newest kept/,
};

/** The figures that fail: over a budget, never written, or a worst case the owner did not hold. */
export function stateRowFailures(figures: readonly StateRowFigure[]): string[] {
  return figures.flatMap((figure) => {
    if (figure.problem) return [`${figure.row}: ${figure.problem}`];
    const must = MUST_HOLD[figure.row];
    return must && !must.test(figure.holds) ? [`${figure.row}: held "${figure.holds}" only`] : [];
  });
}

export function formatStateRows(figures: readonly StateRowFigure[]): string {
  const lines = [
    `largest value of every state row in its worst case (bytes of JSON; budget per row; OCP's store: about ${STORE_RECORD_BYTES.toLocaleString('en-US')})`,
    `${'row'.padEnd(32)}${'largest'.padStart(10)}${'budget'.padStart(10)}${'of budget'.padStart(11)}${'rows'.padStart(6)}  worst case → held`,
  ];
  for (const figure of figures) {
    const share = `${((100 * figure.largestBytes) / figure.budget).toFixed(1)} %`;
    lines.push(
      `${figure.row.padEnd(32)}${figure.largestBytes.toLocaleString('en-US').padStart(10)}${figure.budget.toLocaleString('en-US').padStart(10)}${share.padStart(11)}${String(figure.rowsWritten).padStart(6)}  ${figure.worstCase} → ${figure.holds}${figure.problem ? `  FAILS: ${figure.problem}` : ''}`,
    );
  }
  const failures = stateRowFailures(figures);
  lines.push(
    failures.length === 0
      ? `every row within its byte budget in its worst case: met`
      : `STATE ROWS OVER BUDGET OR REFUSED: ${failures.join('; ')}`,
  );
  return lines.join('\n');
}
