import { describe, expect, it } from 'vitest';

import {
  CHECKPOINT_EVERY_MS,
  CHECKPOINT_EVERY_WRITES,
  startCheckpoint,
} from '../../src/lib/state/checkpoint';
import { ledgerKeyOf, type Ledger } from '../../src/lib/state/ledger';
import { writeFingerprint } from '../../src/lib/delivery/plan';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// When the ledger is written during a batch: after every CHECKPOINT_EVERY_WRITES accepted writes or
// the first one CHECKPOINT_EVERY_MS after the last checkpoint, never per write; at the end it is
// stored (OCP will retry) or deleted (the batch is done).

function memoryKvStore(): KeyValueStore & {
  ops: string[];
  rows: Map<string, StoredRow>;
  failingPatches: number;
} {
  const rows = new Map<string, StoredRow>();
  const store = {
    ops: [] as string[],
    rows,
    failingPatches: 0,
    get: async (key: string) => structuredClone(rows.get(key) ?? {}),
    put: async (key: string, value: StoredRow) => rows.set(key, structuredClone(value)),
    patch: async (key: string, value: StoredRow | ((p: StoredRow, o?: { ttl?: number }) => StoredRow)) => {
      store.ops.push('patch');
      if (store.failingPatches > 0) {
        store.failingPatches -= 1;
        throw new Error('kvStore unavailable');
      }
      const previous = rows.get(key) ?? {};
      rows.set(key, typeof value === 'function' ? value(previous, {}) : { ...previous, ...value });
      return previous;
    },
    delete: async (key: string) => {
      store.ops.push('delete');
      return rows.delete(key);
    },
    increment: async (key: string, field: string, amount = 1) => {
      // Shared rows are created atomically first (state-row.ts); the checkpoint's own cost is its patches.
      store.ops.push('increment');
      const row = rows.get(key) ?? {};
      rows.set(key, { ...row, [field]: Number(row[field] ?? 0) + amount });
      return undefined;
    },
  };
  return store;
}

/** The fingerprint of an accepted write, as deliver() notes it. */
const write = (n: number): string =>
  writeFingerprint({
    kind: 'upsert',
    key: `asset-${n}`,
    subject: `asset_id "asset-${n}"`,
    records: [n],
    form: { description: `v${n}` },
  });
const ledger: Ledger = { key: ledgerKeyOf('sync-1', ['batch']), applied: new Set() };
const appliedIn = (kv: ReturnType<typeof memoryKvStore>) =>
  (kv.rows.get(ledger.key)?.applied as string[] | undefined)?.length ?? 0;

describe('ledger checkpoints', () => {
  it('checkpoints every CHECKPOINT_EVERY_WRITES accepted writes, not per write', async () => {
    const kv = memoryKvStore();
    const checkpoint = startCheckpoint(ledger, { kvStore: kv, clock: fakeClock(), logger: silentLogger });
    for (let n = 1; n <= 2 * CHECKPOINT_EVERY_WRITES + 3; n += 1) checkpoint.applied(write(n));
    await checkpoint.close(true);
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual(['patch', 'patch', 'patch']); // two checkpoints and the rest at the end
    expect(appliedIn(kv)).toBe(2 * CHECKPOINT_EVERY_WRITES + 3);
  });

  it('checkpoints on the first accepted write CHECKPOINT_EVERY_MS after the last one', async () => {
    const kv = memoryKvStore();
    const clock = fakeClock();
    const checkpoint = startCheckpoint(ledger, { kvStore: kv, clock, logger: silentLogger });
    checkpoint.applied(write(1));
    clock.advance(CHECKPOINT_EVERY_MS - 1);
    checkpoint.applied(write(2));
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual([]);
    clock.advance(1);
    checkpoint.applied(write(3));
    await Promise.resolve();
    await Promise.resolve();
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual(['patch']);
    expect(appliedIn(kv)).toBe(3);
  });

  it('deletes the row at the end when OCP will not retry, and costs nothing when none was written', async () => {
    const kv = memoryKvStore();
    const deps = { kvStore: kv, clock: fakeClock(), logger: silentLogger };
    const small = startCheckpoint(ledger, deps);
    small.applied(write(1));
    await small.close(false);
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual([]);

    const large = startCheckpoint(ledger, deps);
    for (let n = 1; n <= CHECKPOINT_EVERY_WRITES; n += 1) large.applied(write(n));
    await large.close(false);
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual(['patch', 'delete']);
    expect(kv.rows.has(ledger.key)).toBe(false);
  });

  it('keeps the writes of a failed checkpoint for the last one, even while it is still failing', async () => {
    const kv = memoryKvStore();
    const checkpoint = startCheckpoint(ledger, { kvStore: kv, clock: fakeClock(), logger: silentLogger });
    kv.failingPatches = 1;
    for (let n = 1; n <= CHECKPOINT_EVERY_WRITES + 1; n += 1) checkpoint.applied(write(n));
    await checkpoint.close(true); // the failing checkpoint is still in flight here
    // The failed patch, its retry by the state-row layer, and the last checkpoint.
    expect(kv.ops.filter((op) => op !== 'increment')).toEqual(['patch', 'patch', 'patch']);
    expect(appliedIn(kv)).toBe(CHECKPOINT_EVERY_WRITES + 1);
  });
});
