import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { pinFieldNames } from '../../src/lib/fields/field-name-pins';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';
import { claimHourly } from '../../src/lib/notices/notice-throttle';
import { createInstallBudget } from '../../src/lib/pacing/install-budget';
import { readRateLimitBlock, storeRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { takeBatchLease } from '../../src/lib/state/batch-lease';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { ledgerKeyOf, readLedger, writeLedger } from '../../src/lib/state/ledger';
import { readOutbox, settleOutbox } from '../../src/lib/state/outbox';
import { noteRecentWrites, readRecentWrites } from '../../src/lib/state/recent-writes';
import { appendRejections, readRejectionLog } from '../../src/lib/state/rejection-log';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// Every row several invocations update at once, from a missing row: WRITERS updaters start together
// on the SDK's own kvStore (the stand-in, or the real 3.3.3 local store, which answers each call on a
// timer and creates a missing row without a compare-and-set check). None may lose another's update.
// The three cache rows (external keys, readiness, metaproperties) are replaced whole by design: the
// last writer's fresh copy wins, and a lost copy costs a request, never a wrong answer.

const WRITERS = 8;
const writers = Array.from({ length: WRITERS }, (_, i) => i);
const kvStore = () => storage.kvStore;

beforeEach(() => resetLocalStores());

describe('concurrent first writers of every shared row (none lost)', () => {
  it('rejection log: every batch’s rejection is kept', async () => {
    const clock = fakeClock();
    await Promise.all(
      writers.map((i) =>
        appendRejections(
          kvStore(),
          [
            {
              key: `K-${i}`,
              subject: `record #${i}`,
              field: 'campaign',
              reason: 'not an option',
              records: 1,
            },
          ],
          { syncName: `sync-${i}`, clock },
        ),
      ),
    );
    expect((await readRejectionLog(kvStore())).map((e) => e.key).sort()).toEqual(
      writers.map((i) => `K-${i}`),
    );
  });

  it('recent writes: every noted asset counts as recent', async () => {
    const clock = fakeClock();
    await Promise.all(
      writers.map((i) => noteRecentWrites(kvStore(), [`ASSET-${i}`], { clock, sendingForMs: 45_000 })),
    );
    const recent = await readRecentWrites(kvStore(), clock);
    expect(writers.filter((i) => !recent.isRecent(`ASSET-${i}`))).toEqual([]);
  });

  it("applied ledger: every attempt's fingerprints are kept", async () => {
    const clock = fakeClock();
    const batch = { items: ['one batch'], sync: { id: 'sync-1' } };
    const empty = { key: ledgerKeyOf('sync-1', batch.items), applied: new Set<string>() };
    await Promise.all(writers.map((i) => writeLedger(kvStore(), empty, [`F-${i}`], clock)));
    expect([...(await readLedger(kvStore(), batch, clock)).applied].sort()).toEqual(
      writers.map((i) => `F-${i}`),
    );
  });

  it('batch lease: exactly one taker holds it', async () => {
    const clock = fakeClock();
    const key = ledgerKeyOf('sync-1', ['leased batch']);
    const taken = await Promise.all(writers.map(() => takeBatchLease(kvStore(), key, clock)));
    expect(taken.filter((t) => t.lease !== undefined)).toHaveLength(1);
    const holder = taken.find((t) => t.lease)?.lease?.holder;
    expect((await kvStore().get(key)).holder).toBe(holder);
  });

  it('outbox: every parked record is in its shard and counted in the head', async () => {
    const clock = fakeClock();
    await Promise.all(
      writers.map((i) =>
        settleOutbox(
          { items: [{ asset_id: `A-${i}` }], attempt: 3, sync: { id: `sync-${i}`, name: `Sync ${i}` } },
          { outcomes: [{ key: `A-${i}`, records: [0], status: 'pending', cause: 'not sent: test' }] },
          clock.now(),
          { kvStore: kvStore(), clock, logger: silentLogger },
        ),
      ),
    );
    const outbox = await readOutbox(kvStore());
    expect(outbox.records.map((r) => r.key).sort()).toEqual(writers.map((i) => `A-${i}`));
  });

  it('request budget: no two leases overlap', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const budgets = writers.map(() =>
      createInstallBudget({ requestsPerSecond: 10, clock, kvStore: kvStore() }),
    );
    for (const budget of budgets) budget.expect(1);
    await Promise.all(budgets.map((budget) => budget.acquire()));
    // Eight one-slot leases taken at the same moment: the timeline moved on by eight slots (102 ms
    // each, the default 2 % margin), whatever the order the store served them in.
    const next = (await kvStore().get(KV_ROWS.requestBudget.key)).next as number;
    expect(next - start).toBeCloseTo(WRITERS * 102, 6);
  });

  it('notice claims: one claimer of a cause, and every claimer of its own cause', async () => {
    const clock = fakeClock();
    const same = await Promise.all(writers.map(() => claimHourly(kvStore(), clock, ['sync-1|parked'])));
    expect(same.filter((held) => held.keys.size > 0)).toHaveLength(1);
    const own = await Promise.all(writers.map((i) => claimHourly(kvStore(), clock, [`sync-${i}|rejected`])));
    expect(own.every((held) => held.keys.size === 1)).toBe(true);
  });

  it('field-name pins: every metaproperty gets a pin, no name twice', async () => {
    const portal = 'https://portal.example.com';
    const answers = await Promise.all(
      writers.map((i) =>
        pinFieldNames(kvStore(), portal, [{ id: `ID-${i}`, name: 'colour' }], STANDARD_FIELD_NAMES),
      ),
    );
    const row = await kvStore().get(KV_ROWS.fieldNamePins.key);
    expect((row.ids as string[]).sort()).toEqual(writers.map((i) => `ID-${i}`));
    expect(new Set(row.names as string[]).size).toBe(WRITERS);
    expect(answers.every((a) => a.complete)).toBe(true);
  });

  it('rate-limit block: the latest end is kept', async () => {
    const clock = fakeClock(Date.now());
    const ends = writers.map((i) => clock.now() + 60_000 + i * 1_000);
    await Promise.all(ends.map((blockedUntil) => storeRateLimitBlock(kvStore(), { blockedUntil }, clock)));
    expect((await readRateLimitBlock(kvStore(), clock))?.blockedUntil).toBe(Math.max(...ends));
  });
});
