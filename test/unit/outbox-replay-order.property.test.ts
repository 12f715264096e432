import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { remainderAfter } from '../../src/lib/delivery/supersede';
import type { Clock, KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import {
  fenceParked,
  holdUntil,
  type OutboxBatch,
  readOutbox,
  readOutboxHead,
  replayOutbox,
  settleOutbox,
} from '../../src/lib/state/outbox';
import { silentLogger } from '../helpers/test-loggers';

// A replay is never sent after a newer write of the same key, whatever the interleaving of the
// replay, a normal batch and their store calls across two workers. Every store call and every
// write's arrival at Bynder is a point fast-check's scheduler orders at random. Bynder is modelled
// as applying one asset's writes in the order they arrive (its documented behaviour the app relies
// on). A record is parked first; then a replay (the outbox job on one worker) and a newer batch for
// the same key (another worker) run at once; a batch that must wait is retried afterwards, as OCP
// retries it, and a last replay delivers what is left. Checked: no replayed field arrives after the
// newer batch wrote it (nor anything after a delete), and Bynder ends as applying the parked event
// and then the newer one would leave it.

const KEY = 'ASSET-1';
const BUDGET_MS = 45_000;
const POLICY = { keyField: 'asset_id', deletePolicy: 'delete', emptyValues: 'leave' } as const;
const supersede = (parked: unknown, later: unknown) => remainderAfter(parked, later, POLICY);

type Item = Record<string, unknown>;
interface Arrival {
  by: 'replay' | 'newer';
  item: Item;
}

const fieldsArb = fc
  .subarray(['description', 'usage_notes', 'campaign'], { minLength: 1 })
  .chain((names) =>
    fc.tuple(...names.map((n) => fc.constantFrom(`${n}-a`, `${n}-b`).map((v) => [n, v] as const))),
  );
const itemArb = (tag: string): fc.Arbitrary<Item> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fieldsArb.map((pairs) => ({
        asset_id: KEY,
        ...Object.fromEntries(pairs.map(([n, v]) => [n, `${tag}:${v}`])),
      })),
    },
    { weight: 1, arbitrary: fc.constant({ asset_id: KEY, _isDeleted: true }) },
  );

/** A kvStore whose every call waits for a point the scheduler picks; updates are atomic there. */
function scheduledStore(s: fc.Scheduler): KeyValueStore {
  const rows = new Map<string, StoredRow>();
  const at = <T>(work: () => T) => s.schedule(Promise.resolve()).then(work);
  const copy = (row: StoredRow | undefined): StoredRow => structuredClone(row ?? {});
  return {
    get: (key) => at(() => copy(rows.get(key))),
    put: (key, value) => at(() => rows.set(key, copy(value))),
    patch: (key, value) =>
      at(() => {
        const next =
          typeof value === 'function' ? value(copy(rows.get(key)), {}) : { ...copy(rows.get(key)), ...value };
        rows.set(key, copy(next));
      }),
    delete: (key) => at(() => rows.delete(key)),
    increment: (key, field, amount = 1) =>
      at(() => {
        const row = copy(rows.get(key));
        row[field] = (typeof row[field] === 'number' ? row[field] : 0) + amount;
        rows.set(key, row);
      }),
  };
}

const clock: Clock = { now: () => 1_000_000, sleep: () => Promise.resolve() };

describe('replays and newer writes, over interleavings', () => {
  it('never sends a replay after a newer write of the same key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), itemArb('parked'), itemArb('newer'), async (s, parked, newer) => {
        const kvStore = scheduledStore(s);
        const deps = { kvStore, clock, logger: silentLogger, timeBudgetMs: BUDGET_MS };
        const arrivals: Arrival[] = [];
        const send = async (by: Arrival['by'], item: Item) => {
          await s.schedule(Promise.resolve()); // the write is on its way: it arrives when scheduled
          arrivals.push({ by, item });
        };

        // Parked first: the batch carrying it ended pending and OCP will not send it again.
        const parking: OutboxBatch = { items: [parked], attempt: 1, sync: { id: 'old', name: 'old' } };
        const parkingEnd = {
          outcomes: [{ key: KEY, records: [0], status: 'pending' as const, cause: 'x' }],
          stop: { retryable: false },
        };
        const park = settleOutbox(parking, parkingEnd, clock.now(), deps);
        await s.waitFor(park);

        const replay = () =>
          replayOutbox(undefined, deps, async (batch) => {
            for (const item of batch.items) await send('replay', item as Item);
            const outcomes = [
              { key: KEY, records: batch.items.map((_, i) => i), status: 'applied' as const },
            ];
            await settleOutbox(batch, { outcomes }, clock.now(), deps);
          });
        const newerBatch = async (attempt: number): Promise<boolean> => {
          const batch: OutboxBatch = { items: [newer], attempt, sync: { id: 'new', name: 'new' } };
          const started = clock.now();
          const head = await readOutboxHead(kvStore);
          const by = `newer-${attempt}`;
          const taken = await fenceParked([KEY], head, {
            ...deps,
            by,
            until: holdUntil(clock, BUDGET_MS),
            started,
          });
          const waits = taken.claimed.has(KEY);
          if (!waits) await send('newer', newer);
          const outcome = waits
            ? { key: KEY, records: [0], status: 'pending' as const, cause: 'waiting' }
            : { key: KEY, records: [0], status: 'applied' as const };
          await settleOutbox(batch, { outcomes: [outcome] }, started, {
            ...deps,
            head,
            supersede,
            fence: taken.fence,
          });
          return !waits;
        };

        const both = Promise.all([replay(), newerBatch(1)]);
        const [, applied] = await s.waitFor(both);
        const retried = applied || (await s.waitFor(newerBatch(2))); // OCP retries a waiting batch
        expect(retried).toBe(true);
        await s.waitFor(replay()); // what is left of the parked record
        await s.waitFor(readOutbox(kvStore)).then((o) => expect(o.records).toEqual([]));

        // No replayed field arrives after the newer batch wrote it, and nothing after a delete.
        const newerAt = arrivals.findIndex((a) => a.by === 'newer');
        const late = arrivals.slice(newerAt + 1).filter((a) => a.by === 'replay');
        const overtaken = late.flatMap(({ item }) =>
          Object.keys(item).filter(
            (field) =>
              field !== 'asset_id' &&
              (Object.hasOwn(newer, field) || newer._isDeleted === true || item._isDeleted === true),
          ),
        );
        expect(overtaken).toEqual([]);
        // Bynder ends as the parked event then the newer one leave it (a later upsert revives).
        const expected = applyAll([parked, newer]);
        expect(applyAll(arrivals.map((a) => a.item))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

/** Bynder's state after writes applied in this order: fields, or deleted. */
function applyAll(items: readonly Item[]): Item | 'deleted' {
  let state = {} as Item | 'deleted';
  for (const item of items) {
    if (item._isDeleted === true) state = 'deleted';
    else state = { ...(state === 'deleted' ? {} : state), ...item };
  }
  return state;
}
