import { storage } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalOcp, startLocalOcp } from '../../dev/cli/sync/workers/local-ocp';
import { scaledClock } from '../../dev/cli/sync/workers/scaled-clock';
import type { Media } from '../../src/lib/bynder/api-types';
import { readRejectionLog } from '../../src/lib/state/rejection-log';
import { readOutbox } from '../../src/lib/state/outbox';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import {
  chaosInput,
  type ChaosBatchEnd,
  comparable,
  expectedPortal,
  seededRandom,
  toldAndDue,
} from '../helpers/chaos-records';
import { TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// The chaos run with four real worker processes, as OCP runs a sync: 670 records (600 changes, 40
// deletes, 20 invalid, 10 for assets Bynder lacks) in batches of 100, all handed to the pool at once,
// each re-delivered (attempt + 1) to whichever worker is free, while the emulator fails writes with
// 5xx, stalls and resets them, rate-limits the app once in the middle, and one worker is killed in
// the middle of a batch. The workers share only the stores this process serves. The end state must
// be exactly what the records say, nothing lost and nothing reported applied that is not.

const CHANGES = 600;
const DELETES = 40;
const INVALID = 20;
const MISSING = 10;
const BATCH_SIZE = 100;
const WORKERS = 4;
const MAX_ATTEMPTS = 25;
/**
 * Every worker's clock (and this process's) runs this much faster than real time, from one origin:
 * the app's 15 requests/s become 75/s, and its five-minute wait for a stored block can be jumped,
 * in every process at once.
 */
const SPEED = 5;
const EMULATOR_QUIET_MS = 400;
const STALL_MS = 500;
const FAULT_SEED = Number(process.env.CHAOS_SEED ?? 20_241_202);
if (!Number.isSafeInteger(FAULT_SEED) || FAULT_SEED < 1) {
  throw new Error(`CHAOS_SEED must be a positive integer, got ${process.env.CHAOS_SEED}`);
}

const { portal, changes, deleted, invalid, missing, batches } = chaosInput(
  { changes: CHANGES, deletes: DELETES, invalid: INVALID, missing: MISSING, batchSize: BATCH_SIZE },
  'chaos-workers',
  20_241_201,
);

const emulator = useEmulator({
  seed: portal.seed,
  tokens: [{ token: TOKEN }],
  rateLimit: false,
  random: seededRandom(FAULT_SEED),
});

const ends: ChaosBatchEnd[] = [];
const failureReasons: string[] = [];
let before: Media[] = [];
let blocked = false;
let killed = false;
let ocp: LocalOcp | undefined;

beforeAll(async () => {
  await emulator.settle();
  before = emulator.snapshot().assets;
  const clockSpec = { origin: Date.now(), speed: SPEED };
  const clock = scaledClock(clockSpec);
  ocp = startLocalOcp(WORKERS, { clock: clockSpec });
  const { pool } = ocp;
  await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: TOKEN });
  await storage.settings.put('records', { primary_key: 'asset_id', delete_policy: 'delete' });
  await storage.settings.put('throughput', { requests_per_second: '15', max_in_flight: '10' });
  for (const rule of [
    { match: '* /api/v4/media/:id/', stall: true, stallMs: STALL_MS, rate: 0.02 },
    { match: '* /api/v4/media/:id/', reset: true, rate: 0.01 },
    { match: '* /api/v4/media/:id/', status: 500, rate: 0.05 },
    { match: '* /api/v4/media/:id/', status: 503, rate: 0.053 },
  ]) {
    emulator.faults.add(rule);
  }

  // One wait at a time for every batch: the block's end is jumped to once,
  // in every process, and the batches that met it wait for that.
  let waiting: Promise<void> | undefined;
  const jumpPast = (until: number): Promise<void> => {
    waiting ??= (async () => {
      await new Promise((resolve) => setTimeout(resolve, EMULATOR_QUIET_MS * 2));
      const jump = clock.jumped + Math.max(0, until - clock.now() + 1);
      clock.setJumped(jump);
      await pool.jumpClock(jump);
    })().finally(() => {
      waiting = undefined;
    });
    return waiting;
  };

  await Promise.all(
    batches.map(async (items, index) => {
      // The block in the middle: a limit the app's pace exceeds within a second.
      if (index === Math.floor(batches.length / 2)) {
        setTimeout(() => {
          emulator.configure({ rateLimit: { limit: 40, windowMs: 1_000, quietMs: EMULATOR_QUIET_MS } });
        }, 1_500);
      }
      // A worker killed in the middle of a batch, as a platform may cut an invocation: the first
      // worker found delivering from 2.5 s on (none may be, while every batch waits out the block).
      if (index === 1) {
        setTimeout(() => {
          const tryKill = setInterval(() => {
            if (!killed) killed = pool.killBusyWorker();
            if (killed || ends.length === batches.length) clearInterval(tryKill);
          }, 50);
        }, 2_500);
      }
      for (let attempt = 1; ; attempt += 1) {
        const result = await pool.deliver({ items, attempt, sync: { id: `chaos-${index}`, name: 'Chaos' } });
        if (result.success || result.retryable !== true || attempt >= MAX_ATTEMPTS) {
          ends.push({ items, result, attempts: attempt });
          return;
        }
        failureReasons.push(result.failureReason ?? '');
        const block = await readRateLimitBlock(storage.kvStore, clock);
        if (block) {
          blocked = true;
          emulator.configure({ rateLimit: false });
          await jumpPast(block.blockedUntil);
        } else {
          // The killed worker's lease on its batch outlives it: attempts 1 and 2 of that batch send
          // nothing, and attempt 3, which may be OCP's last, delivers beside the lease.
          await waiting;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }),
  );
  emulator.faults.clear();
  await emulator.settle();
}, 170_000);

afterAll(async () => {
  await ocp?.close();
});

describe(`chaos with ${WORKERS} worker processes (fault seed ${FAULT_SEED}): 5xx, stalls, resets, a block, a killed worker`, () => {
  it('met every kind of fault along the way, the block in the middle and the killed worker', () => {
    const statuses = emulator.requests().map((request) => request.status);
    expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(3); // stalls and resets: no answer
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(blocked).toBe(true);
    expect(killed).toBe(true);
    expect(failureReasons.some((reason) => /worker delivering this batch died/.test(reason))).toBe(true);
    expect(ocp?.pool.replaced).toBe(1);
  });

  it('ends every batch settled: applied, or rejected for the bad records only, never still pending', () => {
    const { told, due } = toldAndDue(ends, { invalid, missing });
    expect(ends).toHaveLength(batches.length);
    expect(told).toEqual(due);
  });

  it('leaves the portal exactly as the records say: changes applied, deletes in the trash, the rest untouched', () => {
    const { assets, trash } = expectedPortal({ portal, before, changes, deleted });
    const actual = new Map(
      emulator.snapshot().assets.map((asset) => [asset.id, comparable(asset as Record<string, unknown>)]),
    );
    expect([...actual.keys()].sort()).toEqual([...assets.keys()].sort());
    expect(Object.fromEntries(actual)).toEqual(
      Object.fromEntries([...assets].map(([id, asset]) => [id, comparable(asset)])),
    );
    expect(new Set(emulator.snapshot().trash.map((asset) => asset.id))).toEqual(trash);
  });

  it('rejects exactly the invalid records and those for missing assets, each with its reason', async () => {
    const log = await readRejectionLog(storage.kvStore);
    const reasons = new Map(log.map((entry) => [entry.key, entry.reason]));
    expect(new Set(log.map((entry) => entry.key))).toEqual(new Set([...invalid, ...missing]));
    for (const id of invalid) {
      expect(reasons.get(id)).toMatch(/field "campaign_name": "no_such_campaign" is not an option/);
    }
    for (const id of missing) expect(reasons.get(id)).toMatch(/asset not found/);
  });

  it('kept the parked outbox empty: nothing was left for later', async () => {
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
  });
});
