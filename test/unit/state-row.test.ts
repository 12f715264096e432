import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { KEY_CACHE_ROW } from '../../src/lib/delivery/key-cache';
import { FIELD_NAME_PINS_ROW } from '../../src/lib/fields/field-name-pins';
import { METAPROPERTY_HEAD_ROW, METAPROPERTY_SHARD_STATE_ROW } from '../../src/lib/fields/metaproperty-cache';
import { NOTICES_ROW } from '../../src/lib/notices/notice-throttle';
import { REQUEST_BUDGET_ROW } from '../../src/lib/pacing/install-budget';
import { RATE_LIMIT_BLOCK_ROW } from '../../src/lib/pacing/rate-limit-block';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { READINESS_ROW } from '../../src/lib/settings/readiness';
import { APP_KV_ROWS, KV_ROWS, LEDGER_ROW } from '../../src/lib/state/kv-rows';
import { BATCH_ROW } from '../../src/lib/state/ledger';
import { CREATION_QUEUE_STATE_ROW, CREATION_STATE_ROW } from '../../src/lib/state/creation-ledger';
import { OPTION_CLAIMS_ROW } from '../../src/lib/state/option-claims';
import { DELETE_COUNTS_ROW } from '../../src/lib/state/delete-quota';
import { HELD_STATE_ROW } from '../../src/lib/state/held-deletes';
import { SYNC_STATUS_ROW } from '../../src/lib/state/sync-status';
import { OUTBOX_HEAD_ROW, OUTBOX_SHARD_STATE_ROW } from '../../src/lib/state/outbox';
import { RECENT_WRITES_ROW } from '../../src/lib/state/recent-writes';
import {
  appendRejections,
  MAX_REJECTION_LOG_ENTRIES,
  readRejectionLog,
  REJECTION_LOG_ROW,
} from '../../src/lib/state/rejection-log';
import {
  readStateRow,
  replaceStateRow,
  type StateRow,
  StateRowOverBudgetError,
  StateRowUnreadableError,
  STORE_RECORD_BYTES,
  stateRow,
  storedBytes,
  updateStateRow,
  writtenOrThrow,
} from '../../src/lib/state/state-row';
import { fakeClock } from '../helpers/fake-clock';

// The one way a kvStore row is kept (src/lib/state/state-row.ts): every row declared, its byte
// budget enforced, an unchanged value not written, an unreadable value dropped or kept as declared.

/** A store keeping rows in memory, recording each call. */
function memoryStore(): KeyValueStore & { rows: Map<string, StoredRow>; calls: string[] } {
  const rows = new Map<string, StoredRow>();
  const calls: string[] = [];
  return {
    rows,
    calls,
    get: async (key) => {
      calls.push('get');
      return structuredClone(rows.get(key) ?? {});
    },
    put: async (key, value) => {
      calls.push('put');
      rows.set(key, structuredClone(value));
    },
    patch: async (key, value) => {
      calls.push('patch');
      const previous = structuredClone(rows.get(key) ?? {});
      rows.set(key, typeof value === 'function' ? value(previous, {}) : { ...previous, ...value });
      return previous;
    },
    delete: async (key) => {
      calls.push('delete');
      rows.delete(key);
    },
    increment: async (key, field, amount = 1) => {
      calls.push('increment');
      const row = rows.get(key) ?? {};
      rows.set(key, { ...row, [field]: (typeof row[field] === 'number' ? row[field] : 0) + amount });
    },
  };
}

/** Every row the app keeps, as declared by its owner. */
const DECLARED: ReadonlyArray<StateRow<StoredRow>> = [
  METAPROPERTY_HEAD_ROW,
  METAPROPERTY_SHARD_STATE_ROW,
  FIELD_NAME_PINS_ROW,
  RATE_LIMIT_BLOCK_ROW,
  REQUEST_BUDGET_ROW,
  KEY_CACHE_ROW,
  READINESS_ROW,
  REJECTION_LOG_ROW,
  NOTICES_ROW,
  RECENT_WRITES_ROW,
  OUTBOX_HEAD_ROW,
  BATCH_ROW,
  OUTBOX_SHARD_STATE_ROW,
  OPTION_CLAIMS_ROW,
  DELETE_COUNTS_ROW,
  SYNC_STATUS_ROW,
  HELD_STATE_ROW,
  CREATION_STATE_ROW,
  CREATION_QUEUE_STATE_ROW,
] as unknown as ReadonlyArray<StateRow<StoredRow>>;

describe('row declarations', () => {
  it('declares every kvStore row once, each with a byte budget well under what OCP stores', () => {
    const declared = DECLARED.map((row) => row.key).sort();
    const listed = [
      ...Object.values(KV_ROWS).map((row) => row.key),
      LEDGER_ROW.key,
      'delivery_outbox_',
      'delivery_held_',
      'field_model_metaproperties_',
      CREATION_STATE_ROW.key,
      CREATION_QUEUE_STATE_ROW.key,
    ];
    expect(declared).toEqual(listed.sort());
    for (const row of [...DECLARED, ...APP_KV_ROWS]) {
      expect(row.byteBudget).toBeGreaterThan(0);
      expect(row.byteBudget).toBeLessThanOrEqual(0.8 * STORE_RECORD_BYTES);
    }
  });
});

describe('byte budget', () => {
  it.each(DECLARED.map((row) => [row.key, row] as const))(
    '%s: a value over its budget is not written, and the caller is told',
    async (_key, row) => {
      const store = memoryStore();
      const key = row.key;
      const over = (current: StoredRow) => ({ ...current, padding: 'x'.repeat(row.byteBudget) });
      const outcome = await updateStateRow({ kvStore: store, clock: fakeClock() }, row, over, key);
      expect(outcome).toMatchObject({ status: 'over-budget', budget: row.byteBudget });
      expect(store.rows.get(key)?.padding).toBeUndefined();
      expect(() => writtenOrThrow(outcome, key)).toThrow(StateRowOverBudgetError);
      expect(() => writtenOrThrow(outcome, key)).toThrow(`The kvStore row ${key} would hold`);

      const replaced = await replaceStateRow(store, row, over(row.empty()), key);
      expect(replaced.status).toBe('over-budget');
      expect(store.calls).not.toContain('put');
    },
  );

  it('keeps the latest rejections that fit when 500 long ones exceed the log’s budget', async () => {
    const store = memoryStore();
    const long = (i: number) => `${i}-${'r'.repeat(290)}`;
    const rejections = Array.from({ length: MAX_REJECTION_LOG_ENTRIES }, (_, i) => ({
      key: long(i),
      subject: `record #${i} ${'s'.repeat(200)}`,
      field: 'description',
      reason: long(i),
      records: 1,
    }));
    await appendRejections(store, rejections, { syncName: 's'.repeat(300), clock: fakeClock() });
    const kept = await readRejectionLog(store);
    expect(kept.length).toBeLessThan(MAX_REJECTION_LOG_ENTRIES);
    expect(kept.at(-1)?.key).toBe(long(MAX_REJECTION_LOG_ENTRIES - 1));
    expect(storedBytes(store.rows.get(KV_ROWS.rejections.key))).toBeLessThanOrEqual(
      REJECTION_LOG_ROW.byteBudget,
    );
  });
});

const TEST_ROW = (invalid: 'drop' | 'keep') =>
  stateRow<{ n?: number }>(
    { key: 'test_row', ttlSeconds: 60, owner: 'test', holds: 'n', cache: false, byteBudget: 1_000, invalid },
    { schema: z.object({ n: z.number().optional() }), empty: () => ({}) },
  );

describe('updates', () => {
  it('creates a missing row safely, then costs one patch per update and none when nothing changes', async () => {
    const store = memoryStore();
    const deps = { kvStore: store, clock: fakeClock() };
    const row = TEST_ROW('drop');
    await updateStateRow(deps, row, () => ({ n: 1 }));
    expect(store.calls).toEqual(['patch', 'increment', 'patch']);
    store.calls.length = 0;
    await updateStateRow(deps, row, () => ({ n: 2 }));
    expect(store.calls).toEqual(['patch']);
    store.calls.length = 0;
    expect(await updateStateRow(deps, row, (current) => ({ ...current }))).toMatchObject({
      status: 'unchanged',
      value: { n: 2 },
    });
    expect(store.rows.get('test_row')).toEqual({ n: 2, updates: 1 });
    // An update that leaves a missing row empty creates nothing.
    store.rows.clear();
    await updateStateRow(deps, row, (current) => current);
    expect(store.rows.has('test_row')).toBe(false);
  });

  it('drops an unreadable value of a `drop` row, and keeps and reports one of a `keep` row', async () => {
    const store = memoryStore();
    const deps = { kvStore: store, clock: fakeClock() };
    store.rows.set('test_row', { n: 'not a number' });
    expect(await readStateRow(store, TEST_ROW('drop'))).toEqual({});
    await expect(readStateRow(store, TEST_ROW('keep'))).rejects.toThrow(StateRowUnreadableError);
    await expect(updateStateRow(deps, TEST_ROW('keep'), () => ({ n: 1 }))).rejects.toThrow(
      'The stored kvStore row test_row does not have the shape this version expects',
    );
    expect(store.rows.get('test_row')).toEqual({ n: 'not a number' });
    await updateStateRow(deps, TEST_ROW('drop'), () => ({ n: 1 }));
    expect(store.rows.get('test_row')).toEqual({ n: 1 });
  });
});
