import { describe, expect, it } from 'vitest';

import type { KeyValueStore, Random, StoredRow } from '../../src/lib/runtime-ports';
import { takeBatchLease } from '../../src/lib/state/batch-lease';
import { z } from 'zod';

import { stateRow, updateStateRow } from '../../src/lib/state/state-row';
import { fakeClock } from '../helpers/fake-clock';

// Chance is a port (runtime-ports.ts, Random): what src/lib draws, a test can fix. A lease holder's
// id and the pause before a contended row is patched again come from the Random passed in.

function fixedRandom(fraction: number, ids: string[]): Random {
  return { fraction: () => fraction, id: () => ids.shift() ?? 'out-of-ids' };
}

/** A store keeping rows in memory; `conflicts` patch calls fail first, as a lost compare-and-set. */
function memoryStore(conflicts = 0): KeyValueStore & { rows: Map<string, StoredRow> } {
  const rows = new Map<string, StoredRow>();
  let failing = conflicts;
  return {
    rows,
    get: async (key) => rows.get(key) ?? {},
    put: async (key, value) => rows.set(key, value),
    patch: async (key, value) => {
      if (failing > 0) {
        failing -= 1;
        throw new Error('CAS retries exhausted');
      }
      const previous = rows.get(key) ?? {};
      rows.set(key, typeof value === 'function' ? value(previous, {}) : { ...previous, ...value });
    },
    delete: async (key) => rows.delete(key),
    increment: async (key, field, amount = 1) => {
      const row = rows.get(key) ?? {};
      rows.set(key, { ...row, [field]: (typeof row[field] === 'number' ? row[field] : 0) + amount });
    },
  };
}

const ROW = stateRow<StoredRow>(
  {
    key: 'row',
    ttlSeconds: undefined,
    owner: 'test',
    holds: 'n',
    cache: false,
    byteBudget: 100,
    invalid: 'drop',
  },
  { schema: z.object({ n: z.number().optional() }), empty: () => ({}) },
);

describe('the Random port', () => {
  it("names a batch lease's holder with the id it draws", async () => {
    const store = memoryStore();
    const { lease } = await takeBatchLease(
      store,
      'delivery_ledger_sync-1_abc',
      fakeClock(),
      fixedRandom(0, ['holder-1']),
    );
    expect(lease?.holder).toBe('holder-1');
    expect([...store.rows.values()].some((row) => row.holder === 'holder-1')).toBe(true);
  });

  it('draws the pause before a contended row is patched again', async () => {
    const clock = fakeClock();
    const update = (row: StoredRow) => ({ ...row, n: 1 });
    await updateStateRow({ kvStore: memoryStore(1), clock, random: fixedRandom(0, []) }, ROW, update);
    expect(clock.sleeps).toEqual([0]);
    const later = fakeClock();
    await updateStateRow(
      { kvStore: memoryStore(1), clock: later, random: fixedRandom(0.5, []) },
      ROW,
      update,
    );
    expect(later.sleeps).toHaveLength(1);
    expect(later.sleeps[0]).toBeGreaterThan(0);
  });
});
