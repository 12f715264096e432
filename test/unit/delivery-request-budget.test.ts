import { describe, expect, it } from 'vitest';

import { BudgetHaltedError, createRequestBudget } from '../../src/lib/delivery/request-budget';
import { fakeClock } from '../helpers/fake-clock';

/** The largest number of starts inside any window [t, t + 1000) that begins at a start. */
function maxStartsPerSecond(starts: readonly number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  return Math.max(0, ...sorted.map((first) => sorted.filter((t) => t >= first && t < first + 1000).length));
}

describe('createRequestBudget', () => {
  it('paces budgets that share a key (one portal) together: back-to-back invocations never burst', async () => {
    const clock = fakeClock();
    const starts: number[] = [];
    // Two deliver() calls in a row, each with its own budget, as OCP runs batches one after another.
    for (let invocation = 0; invocation < 2; invocation += 1) {
      const budget = createRequestBudget({
        requestsPerSecond: 5,
        clock,
        shareKey: 'https://acme.bynder.com',
      });
      for (let i = 0; i < 5; i += 1) {
        await budget.acquire();
        starts.push(clock.now());
      }
    }
    expect(maxStartsPerSecond(starts)).toBe(5);
  });

  it('keeps budgets of different portals, or of different clocks, apart', async () => {
    const clock = fakeClock();
    const a = createRequestBudget({ requestsPerSecond: 1, clock, shareKey: 'https://a.bynder.com' });
    const b = createRequestBudget({ requestsPerSecond: 1, clock, shareKey: 'https://b.bynder.com' });
    const other = fakeClock();
    const c = createRequestBudget({ requestsPerSecond: 1, clock: other, shareKey: 'https://a.bynder.com' });
    await Promise.all([a.acquire(), b.acquire(), c.acquire()]);
    expect(clock.sleeps).toEqual([]);
    expect(other.sleeps).toEqual([]);
  });

  it('halts only the budget that met the 429, not the others sharing its pacing', async () => {
    const clock = fakeClock();
    const shareKey = 'https://acme.bynder.com';
    const halted = createRequestBudget({ requestsPerSecond: 10, clock, shareKey });
    const next = createRequestBudget({ requestsPerSecond: 10, clock, shareKey });
    halted.halt();
    await expect(halted.acquire()).rejects.toBeInstanceOf(BudgetHaltedError);
    await expect(next.acquire()).resolves.toBeUndefined();
  });

  it.each([1, 5, 10, 15])('never grants more than %i starts in any 1-second window', async (rps) => {
    const clock = fakeClock();
    const budget = createRequestBudget({ requestsPerSecond: rps, clock });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, () =>
        budget.acquire().then(() => {
          starts.push(clock.now());
        }),
      ),
    );
    expect(starts).toHaveLength(60);
    expect(maxStartsPerSecond(starts)).toBe(rps);
    expect(budget.granted).toBe(60);
  });

  it('still keeps the window when the margin is zero', async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ requestsPerSecond: 10, clock, margin: 0 });
    const starts: number[] = [];
    for (let i = 0; i < 35; i += 1) {
      await budget.acquire();
      starts.push(clock.now());
    }
    expect(maxStartsPerSecond(starts)).toBe(10);
  });

  it('lets the first request start at once and spaces the rest evenly', async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ requestsPerSecond: 10, clock, margin: 0 });
    const t0 = clock.now();
    await budget.acquire();
    expect(clock.now()).toBe(t0);
    await budget.acquire();
    expect(clock.now()).toBe(t0 + 100);
  });

  it('does not wait after a quiet spell longer than the spacing', async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ requestsPerSecond: 5, clock });
    await budget.acquire();
    await clock.sleep(5_000);
    const before = clock.now();
    await budget.acquire();
    expect(clock.now()).toBe(before);
  });

  it('refuses waiting and later requests once halted', async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ requestsPerSecond: 2, clock });
    await budget.acquire();
    const waiting = budget.acquire();
    budget.halt();
    await expect(waiting).rejects.toBeInstanceOf(BudgetHaltedError);
    await expect(budget.acquire()).rejects.toBeInstanceOf(BudgetHaltedError);
    expect(budget.granted).toBe(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %s requests per second with a TypeError',
    (rps) => {
      expect(() => createRequestBudget({ requestsPerSecond: rps, clock: fakeClock() })).toThrow(TypeError);
    },
  );
});
