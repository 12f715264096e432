import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { LEDGER_TRUST_MS, ledgerKeyOf, readLedger, writeLedger } from '../../src/lib/state/ledger';
import { LEDGER_ROW } from '../../src/lib/state/kv-rows';
import { planBatch, writeFingerprint } from '../../src/lib/delivery/plan';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

/** An in-memory kvStore that counts operations (the ledger promises a few per batch at most). */
function memoryKvStore(): KeyValueStore & { ops: string[]; ttls: Map<string, number | undefined> } {
  const rows = new Map<string, StoredRow>();
  const ops: string[] = [];
  const ttls = new Map<string, number | undefined>();
  return {
    ops,
    ttls,
    get: async (key) => {
      ops.push(`get ${key}`);
      return structuredClone(rows.get(key) ?? {});
    },
    put: async (key, value, options) => {
      ops.push(`put ${key}`);
      rows.set(key, structuredClone(value));
      ttls.set(key, options?.ttl);
      return {};
    },
    patch: async (key, value) => {
      ops.push(`patch ${key}`);
      const previous = rows.get(key) ?? {};
      // An updater owns the TTL, as in the SDK's kvStore.
      const options: { ttl?: number } = { ttl: ttls.get(key) };
      rows.set(key, typeof value === 'function' ? value(previous, options) : { ...previous, ...value });
      ttls.set(key, options.ttl);
      return previous;
    },
    increment: async (key, field, amount = 1) => {
      ops.push(`increment ${key}`);
      const row = rows.get(key) ?? {};
      rows.set(key, { ...row, [field]: (typeof row[field] === 'number' ? row[field] : 0) + amount });
      return undefined;
    },
    delete: async (key) => {
      ops.push(`delete ${key}`);
      rows.delete(key);
      return {};
    },
  };
}
const clock = fakeClock(5_000);
const metaproperties: Metaproperty[] = [{ id: 'NOTES-ID', name: 'notes', type: 'text' }];
const model = buildFieldModel(metaproperties, {
  primaryKey: { kind: 'asset_id' },
  logger: silentLogger,
  fetchedAt: 0,
});
const policy = { deletePolicy: 'archive', emptyValues: 'leave', unknownOptions: 'reject' } as const;
const items = [
  { asset_id: 'A', notes: 'one' },
  { asset_id: 'B', notes: 'two' },
  { asset_id: 'C', _isDeleted: true },
];
const sync = { id: 'sync-1', name: 'Assets' };

describe('applied ledger', () => {
  it('finds nothing (one read) when no earlier attempt left a ledger', async () => {
    const kv = memoryKvStore();
    const ledger = await readLedger(kv, { items, sync }, clock);
    expect(ledger.applied.size).toBe(0);
    expect(kv.ops).toEqual([`get ${ledger.key}`]);
  });

  it('lets attempt 2 skip what attempt 1 applied and send only the rest', async () => {
    const kv = memoryKvStore();
    const first = await readLedger(kv, { items, sync }, clock);
    const plan1 = planBatch(items, model, policy, first.applied);
    expect(plan1.writes.map((w) => w.key)).toEqual(['A', 'B', 'C']);
    // Attempt 1 applied A and C; B stayed pending.
    const appliedNow = plan1.writes.filter((w) => w.key !== 'B');
    await writeLedger(kv, first, appliedNow.map(writeFingerprint), clock);

    const second = await readLedger(kv, { items, sync }, clock);
    const plan2 = planBatch(items, model, policy, second.applied);
    expect(plan2.writes.map((w) => w.key)).toEqual(['B']);
    expect(plan2.done.map((s) => s.key).sort()).toEqual(['A', 'C']);
    // The write creates the row atomically, then merges into it (concurrent attempts keep theirs).
    expect(kv.ops).toEqual([
      `get ${first.key}`,
      `increment ${first.key}`,
      `patch ${first.key}`,
      `get ${first.key}`,
    ]);
    expect(kv.ttls.get(first.key)).toBe(LEDGER_ROW.ttlSeconds);
  });

  it('accumulates over attempts', async () => {
    const kv = memoryKvStore();
    const [a, b] = planBatch(items, model, policy).writes;
    if (!a || !b) throw new Error('expected two writes');
    const attempt2 = await readLedger(kv, { items, sync }, clock);
    await writeLedger(kv, attempt2, [writeFingerprint(a)], clock);
    const attempt3 = await readLedger(kv, { items, sync }, clock);
    await writeLedger(kv, attempt3, [writeFingerprint(b)], clock);
    const attempt4 = await readLedger(kv, { items, sync }, clock);
    expect([...attempt4.applied].sort()).toEqual([writeFingerprint(a), writeFingerprint(b)].sort());
  });

  it('keys the ledger by sync and batch content, so another batch or sync finds nothing', () => {
    const key = ledgerKeyOf('sync-1', items);
    expect(ledgerKeyOf('sync-1', items)).toBe(key);
    expect(ledgerKeyOf('sync-2', items)).not.toBe(key);
    expect(ledgerKeyOf('sync-1', [...items, { asset_id: 'D' }])).not.toBe(key);
  });

  it('trusts a row for LEDGER_TRUST_MS after its first entry, then starts it afresh', async () => {
    const kv = memoryKvStore();
    const local = fakeClock(1_000_000);
    const [a, b] = planBatch(items, model, policy).writes;
    if (!a || !b) throw new Error('expected two writes');
    await writeLedger(kv, await readLedger(kv, { items, sync }, local), [writeFingerprint(a)], local);
    local.advance(LEDGER_TRUST_MS - 1_000);
    // A later checkpoint does not extend the trust of the first entry.
    await writeLedger(kv, await readLedger(kv, { items, sync }, local), [writeFingerprint(b)], local);
    expect((await readLedger(kv, { items, sync }, local)).applied.size).toBe(2);
    local.advance(2_000);
    expect((await readLedger(kv, { items, sync }, local)).applied.size).toBe(0);
    await writeLedger(kv, await readLedger(kv, { items, sync }, local), [writeFingerprint(b)], local);
    expect([...(await readLedger(kv, { items, sync }, local)).applied]).toEqual([writeFingerprint(b)]);
  });

  it('ignores a malformed row', async () => {
    const kv = memoryKvStore();
    await kv.put(ledgerKeyOf(sync.id, items), { applied: 'not a list' });
    expect((await readLedger(kv, { items, sync }, clock)).applied.size).toBe(0);
  });
});
