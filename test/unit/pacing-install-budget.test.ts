import { resetLocalKvStore } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { createInstallBudget, LATE_SLOT_MS, LEASE_MS } from '../../src/lib/pacing/install-budget';
import { BudgetHaltedError, DEFAULT_BUDGET_MARGIN } from '../../src/lib/pacing/request-budget';
import type { Clock, KeyValueStore } from '../../src/lib/runtime-ports';
import { timerClock } from '../helpers/fake-clock';
import { countingStore, virtualInstall } from '../helpers/virtual-install';

// Several invocations (as if in different processes: nothing in common but the kvStore) drawing
// from one budget. Time is virtual; only starts per window, gaps and store calls are asserted.

const RPS = 10;
const SPACING_MS = (1000 * (1 + DEFAULT_BUDGET_MARGIN)) / RPS;

/** The largest number of starts inside any window [t, t + 1000) that begins at a start. */
function maxStartsPerSecond(starts: readonly number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(0, ...sorted.map((first) => sorted.filter((t) => t >= first && t < first + 1000).length));
}

/** One invocation that expects `count` requests and sends them `inFlight` at a time. */
async function invocation(
  deps: { clock: Clock; kvStore: KeyValueStore },
  count: number,
  starts: number[],
  inFlight = 5,
): Promise<void> {
  const budget = createInstallBudget({ requestsPerSecond: RPS, ...deps });
  budget.expect(count);
  let left = count;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left > 0) {
        left -= 1;
        await budget.acquire();
        starts.push(deps.clock.now());
      }
    }),
  );
  await budget.release();
}

beforeEach(() => {
  resetLocalKvStore();
});

describe('createInstallBudget', () => {
  it('keeps four concurrent invocations on one store at the budget, using every slot, with at most one store call per 10 starts', async () => {
    const { clock, kvStore, calls } = virtualInstall();
    const starts: number[] = [];
    // All four start at once on a missing row: its first writes race.
    await Promise.all(Array.from({ length: 4 }, () => invocation({ clock, kvStore }, 50, starts)));
    expect(starts).toHaveLength(200);
    expect(maxStartsPerSecond(starts)).toBeLessThanOrEqual(RPS);
    const span = Math.max(...starts) - Math.min(...starts);
    // 200 starts fill 199 spacings: no slot was leased and left unused.
    expect(span).toBeLessThanOrEqual(199 * SPACING_MS + 1);
    expect(calls()).toBeLessThanOrEqual(200 / 10);
  });

  it('leases only what an invocation expects, so the next one starts right after its last request', async () => {
    const { clock, kvStore } = virtualInstall();
    const starts: number[] = [];
    await invocation({ clock, kvStore }, 3, starts);
    const next = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    await next.acquire();
    expect(clock.now() - starts[0]!).toBeCloseTo(3 * SPACING_MS, 6);
  });

  it('hands back the slots an invocation leased and did not use when it ends', async () => {
    const { clock, kvStore } = virtualInstall();
    const first = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    first.expect(20); // e.g. a batch cut short by its deadline after two writes
    await first.acquire();
    const firstStart = clock.now();
    await first.acquire();
    await first.release();
    expect(first.unusedSlots).toBe(18); // its lease fit the 20 it expected
    const next = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    await next.acquire();
    expect(clock.now() - firstStart).toBeCloseTo(2 * SPACING_MS, 6);
  });

  it('starts a lease at the current time after the timeline was idle, never with a burst of old slots', async () => {
    const { clock, kvStore } = virtualInstall();
    const starts: number[] = [];
    await invocation({ clock, kvStore }, 5, starts);
    await clock.sleep(30_000);
    const resumedAt = clock.now();
    await invocation({ clock, kvStore }, 12, starts);
    const later = starts.slice(5);
    expect(Math.min(...later)).toBeGreaterThanOrEqual(resumedAt);
    expect(maxStartsPerSecond(later)).toBeLessThanOrEqual(RPS);
  });

  it("lets the others go on once a dead invocation's lease ends, within the lease's length", async () => {
    const { clock, kvStore } = virtualInstall();
    const dead = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    dead.expect(100);
    await dead.acquire(); // leases, sends one request, then its process is gone (no release)
    const leasedAt = clock.now();
    const other = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    await other.acquire();
    expect(clock.now() - leasedAt).toBeGreaterThan(SPACING_MS);
    expect(clock.now() - leasedAt).toBeLessThanOrEqual(LEASE_MS + SPACING_MS);
  });

  it('skips a slot its timer reached too late, so late processes never crowd a window', async () => {
    // Timers fire up to 3 spacings late, at random: a busy worker.
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const { clock, kvStore } = virtualInstall(() => random() * 3 * SPACING_MS);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => invocation({ clock, kvStore }, 40, starts)));
    expect(starts).toHaveLength(120);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i += 1) {
      expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(SPACING_MS - LATE_SLOT_MS - 1e-6);
    }
    expect(maxStartsPerSecond(starts)).toBeLessThanOrEqual(RPS);
  });

  it('refuses every waiting start after halt() and hands the lease back', async () => {
    const { clock, kvStore } = virtualInstall();
    const budget = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    budget.expect(10);
    await budget.acquire();
    const waiting = budget.acquire();
    budget.halt();
    await expect(waiting).rejects.toThrow(/not sent/);
    const next = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
    const before = clock.now();
    await next.acquire();
    expect(clock.now() - before).toBeLessThanOrEqual(SPACING_MS);
  });

  it.each([1, 5, 10, 15])('never grants more than %i starts in any 1-second window', async (rps) => {
    const { clock, kvStore } = virtualInstall();
    const budget = createInstallBudget({ requestsPerSecond: rps, clock, kvStore });
    budget.expect(60);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, () =>
        budget.acquire().then(() => {
          starts.push(clock.now());
        }),
      ),
    );
    expect(maxStartsPerSecond(starts)).toBe(rps);
    expect(budget.granted).toBe(60);
  });

  it('lets the first request start at once and spaces the rest evenly', async () => {
    const { clock, kvStore } = virtualInstall();
    const budget = createInstallBudget({ requestsPerSecond: 10, clock, kvStore, margin: 0 });
    const t0 = clock.now();
    await budget.acquire();
    expect(clock.now()).toBe(t0);
    await budget.acquire();
    expect(clock.now()).toBe(t0 + 100);
  });

  it('refuses later requests too once halted, and counts only what it granted', async () => {
    const { clock, kvStore } = virtualInstall();
    const budget = createInstallBudget({ requestsPerSecond: 2, clock, kvStore });
    await budget.acquire();
    budget.halt();
    await expect(budget.acquire()).rejects.toBeInstanceOf(BudgetHaltedError);
    expect(budget.granted).toBe(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %s requests per second with a TypeError',
    (rps) => {
      const { kvStore } = countingStore();
      expect(() => createInstallBudget({ requestsPerSecond: rps, clock: timerClock(), kvStore })).toThrow(
        TypeError,
      );
    },
  );
});
