import { LocalKVStore } from '@zaiusinc/app-sdk';
import { describe, expect, it } from 'vitest';

import { createInstallBudget, LEASE_MS } from '../../src/lib/delivery/install-budget';
import type { KeyValueStore } from '../../src/lib/runtime-ports';
import type { Clock } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';

// Several invocations (as if in different processes: no module state in common) drawing from one
// budget through one kvStore. Time is a fake clock; only starts per window and store calls count.

/** The largest number of starts inside any window [t, t + 1000) that begins at a start. */
function maxStartsPerSecond(starts: readonly number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(0, ...sorted.map((first) => sorted.filter((t) => t >= first && t < first + 1000).length));
}

/**
 * Virtual time with timers, for concurrent sleepers: a sleep ends when time reaches its deadline,
 * and time jumps to the earliest deadline once every pending promise has settled (setImmediate runs
 * after them). fakeClock() moves time on every sleep, which concurrent sleepers would add up.
 */
function timerClock(start = Date.UTC(2025, 0, 1)): Clock {
  let now = start;
  const timers: Array<{ at: number; resolve: () => void }> = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) return;
    now = Math.max(now, next.at);
    next.resolve();
    schedule();
  };
  const schedule = () => {
    if (!scheduled && timers.length > 0) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  return {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        timers.push({ at: now + ms, resolve });
        schedule();
      }),
  };
}

/** The kvStore, counting the patches made on it. */
function countingStore(): { kvStore: KeyValueStore; patches: () => number } {
  const store = new LocalKVStore();
  let patches = 0;
  const kvStore: KeyValueStore = {
    get: (key, fields) => store.get(key, fields),
    put: (key, value, options) => store.put(key, value as never, options),
    patch: (key, value, options) => {
      patches += 1;
      return store.patch(key, value as never, options);
    },
    delete: (key) => store.delete(key),
  };
  return { kvStore, patches: () => patches };
}

describe('createInstallBudget', () => {
  it('keeps four concurrent invocations together at the budget, with one patch per 10 starts or fewer', async () => {
    const clock = timerClock();
    const { kvStore, patches } = countingStore();
    const rps = 10;
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        const budget = createInstallBudget({ requestsPerSecond: rps, clock, kvStore });
        for (let i = 0; i < 50; i += 1) {
          await budget.acquire();
          starts.push(clock.now());
        }
      }),
    );
    expect(starts).toHaveLength(200);
    expect(maxStartsPerSecond(starts)).toBeLessThanOrEqual(rps);
    expect(patches()).toBeLessThanOrEqual(200 / 10);
  });

  it("lets the others go on once a dead invocation's lease ends", async () => {
    const clock = fakeClock();
    const { kvStore } = countingStore();
    const dead = createInstallBudget({ requestsPerSecond: 10, clock, kvStore });
    await dead.acquire(); // leases, sends one request, then its process is gone (no release)
    const leasedAt = clock.now();
    const other = createInstallBudget({ requestsPerSecond: 10, clock, kvStore });
    await other.acquire();
    expect(clock.now() - leasedAt).toBeGreaterThan(0);
    expect(clock.now() - leasedAt).toBeLessThanOrEqual(LEASE_MS * 1.1);
  });

  it('hands back the rest of a lease when the invocation is done, so the next starts at once', async () => {
    const clock = fakeClock();
    const { kvStore } = countingStore();
    const first = createInstallBudget({ requestsPerSecond: 10, clock, kvStore });
    await first.acquire();
    await first.release();
    const releasedAt = clock.now();
    const next = createInstallBudget({ requestsPerSecond: 10, clock, kvStore });
    await next.acquire();
    // One spacing after the first start, not the end of the first lease.
    expect(clock.now() - releasedAt).toBeLessThanOrEqual(110);
  });
});
