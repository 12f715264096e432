import { storage } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Media } from '../../src/lib/bynder/api-types';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { readRejectionLog } from '../../src/lib/state/rejection-log';
import { configureApp, deliver, TOKEN } from '../helpers/deliver-fixture';
import {
  chaosInput,
  type ChaosBatchEnd,
  comparable,
  expectedPortal,
  seededRandom,
  toldAndDue,
} from '../helpers/chaos-records';
import { useEmulator } from '../helpers/use-emulator';

// A sync of 2,170 records (2,000 changes, 100 deletes, 50 invalid, 20 for assets Bynder lacks)
// through the real BynderAssetSync in batches of 100, re-delivered as OCP does (attempt + 1 after a
// pause) while the emulator fails 10 % of writes with 5xx, stalls 2 %, resets 1 %, and rate-limits
// the app once in the middle. The end state must be exactly what the records say, nothing lost and
// nothing reported applied that is not.

const CHANGES = 2_000;
const DELETES = 100;
const INVALID = 50;
const MISSING = 20;
const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 25;
/** The app's clock runs this much faster than real time: its 15 requests/s budget becomes 300/s. */
const SPEED = 20;
const EMULATOR_QUIET_MS = 400;
/**
 * A stalled request ends when the emulator closes it, unanswered, after this long (as an idle-timeout
 * proxy does). The app's own 30 s timeout would make each stall cost 30 s; client-faults.test.ts
 * covers that timeout.
 */
const STALL_MS = 500;
/**
 * The emulator draws every fault from this seed (CHAOS_SEED overrides it), so a failing run can be
 * run again with the same draws. With up to 10 requests in flight, which request meets which draw
 * still follows their arrival order.
 */
const FAULT_SEED = Number(process.env.CHAOS_SEED ?? 20_240_302);
if (!Number.isSafeInteger(FAULT_SEED) || FAULT_SEED < 1) {
  throw new Error(`CHAOS_SEED must be a positive integer, got ${process.env.CHAOS_SEED}`);
}

const { portal, changes, deleted, invalid, missing, batches } = chaosInput(
  { changes: CHANGES, deletes: DELETES, invalid: INVALID, missing: MISSING, batchSize: BATCH_SIZE },
  'chaos',
  20_240_301,
);

const emulator = useEmulator({
  seed: portal.seed,
  tokens: [{ token: TOKEN }],
  rateLimit: false,
  random: seededRandom(FAULT_SEED),
});

/** A clock `SPEED` times faster than real time that the loop can also jump forward (past a block). */
function fastClock() {
  const origin = Date.now();
  let jumped = 0;
  return {
    now: () => origin + (Date.now() - origin) * SPEED + jumped,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / SPEED)),
    jump: (ms: number) => {
      jumped += ms;
    },
  };
}

const ends: ChaosBatchEnd[] = [];
let before: Media[] = [];
let blockedAt: number | undefined;
let resumedAt: number | undefined;

beforeAll(async () => {
  // Change detection on (read_first, the default): the bulk reads meet the same faults as the writes.
  await configureApp(emulator.url, {
    delete_policy: 'delete',
    requests_per_second: 15,
    max_in_flight: 10,
    change_detection: 'read_first',
  });
  const clock = fastClock();
  BynderAssetSync.clockOverride = clock;
  await emulator.settle();
  before = emulator.snapshot().assets;
  for (const rule of [
    { match: '* /api/v4/media/:id/', stall: true, stallMs: STALL_MS, rate: 0.02 },
    { match: '* /api/v4/media/:id/', reset: true, rate: 0.01 },
    { match: '* /api/v4/media/:id/', status: 500, rate: 0.05 },
    { match: '* /api/v4/media/:id/', status: 503, rate: 0.053 },
  ]) {
    emulator.faults.add(rule);
  }

  for (const [index, items] of batches.entries()) {
    // The block in the middle: a limit the app's pace exceeds within a second.
    if (index === Math.floor(batches.length / 2)) {
      emulator.configure({ rateLimit: { limit: 60, windowMs: 1_000, quietMs: EMULATOR_QUIET_MS } });
    }
    let attempt = 1;
    for (; ; attempt += 1) {
      const result = await deliver(items, { attempt, syncId: `chaos-${index}` });
      if (result.success || result.retryable !== true || attempt >= MAX_ATTEMPTS) {
        ends.push({ items, result, attempts: attempt });
        break;
      }
      const block = await readRateLimitBlock(storage.kvStore, clock);
      if (block) {
        // Wait it out: Bynder's quiet period in real time, the app's five minutes on its clock.
        blockedAt ??= Date.now();
        await new Promise((resolve) => setTimeout(resolve, EMULATOR_QUIET_MS * 2));
        clock.jump(block.blockedUntil - clock.now() + 1);
        if (resumedAt === undefined) {
          resumedAt = Date.now();
          emulator.configure({ rateLimit: false });
        }
      } else {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  emulator.faults.clear();
  await emulator.settle();
}, 120_000);

afterAll(() => {
  BynderAssetSync.clockOverride = undefined;
});

describe(`chaos (fault seed ${FAULT_SEED}): a 2,170-record sync under 5xx, stalls, resets and a rate-limit block`, () => {
  it('met every kind of fault along the way, and the block in the middle', () => {
    const statuses = emulator.requests().map((request) => request.status);
    expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(10); // stalls and resets: no answer
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(blockedAt).toBeDefined();
    expect(resumedAt).toBeDefined();
  });

  it('sent nothing new while blocked: only requests already on the wire met the block', () => {
    const first429 = emulator.requests().find((request) => request.status === 429)!;
    const duringBlock = emulator
      .requests()
      .filter((request) => request.at >= first429.at && request.at < resumedAt!);
    expect(duringBlock.every((request) => request.status === 429 || request.status === 0)).toBe(true);
    expect(duringBlock.length).toBeLessThanOrEqual(10); // max_in_flight
  });

  it('ends every batch settled: applied, or rejected for the bad records only, never still pending', () => {
    // What OCP is told about each batch, against what it must be told given the batch's records.
    const { told, due } = toldAndDue(ends, { invalid, missing });
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
    for (const id of missing) {
      expect(reasons.get(id)).toMatch(/asset not found/);
    }
  });
});
