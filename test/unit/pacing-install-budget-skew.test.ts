import { resetLocalKvStore } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { createInstallBudget, MAX_CLOCK_SKEW_MS } from '../../src/lib/pacing/install-budget';
import { DEFAULT_BUDGET_MARGIN } from '../../src/lib/pacing/request-budget';
import type { Clock } from '../../src/lib/runtime-ports';
import { virtualInstall } from '../helpers/virtual-install';

// Two invocations in two processes whose clocks disagree: one runs MAX_CLOCK_SKEW_MS ahead of the
// other. The budget's timeline is kept in the kvStore in each writer's own clock, so starts are
// counted here on the true clock (the one Bynder counts on). The bound install-budget.ts states:
// any window of T ms holds at most (T + MAX_CLOCK_SKEW_MS) / spacing + 1 starts.

const RPS = 15; // the highest the settings allow
const SPACING_MS = (1000 * (1 + DEFAULT_BUDGET_MARGIN)) / RPS;
const RUN_MS = 5 * 60_000;

/** The most starts inside any window [t, t + windowMs) that begins at a start. */
function busiest(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to += 1) {
    while ((sorted[to] ?? 0) - (sorted[from] ?? 0) >= windowMs) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

const bound = (windowMs: number) => Math.floor((windowMs + MAX_CLOCK_SKEW_MS) / SPACING_MS) + 1;

beforeEach(() => {
  resetLocalKvStore();
});

describe('the install budget on skewed clocks', () => {
  it(`keeps the install within its rate when one worker's clock runs ${MAX_CLOCK_SKEW_MS} ms ahead`, async () => {
    // Time stands still while a store call is under way (the real SDK answers on a timer).
    const { clock: truth, kvStore } = virtualInstall();
    const ahead: Clock = { now: () => truth.now() + MAX_CLOCK_SKEW_MS, sleep: (ms) => truth.sleep(ms) };
    const starts: number[] = [];
    const end = truth.now() + RUN_MS;
    // Each worker delivers batch after batch of 30 requests, the two always contending.
    const worker = async (clock: Clock) => {
      while (truth.now() < end) {
        const budget = createInstallBudget({ requestsPerSecond: RPS, clock, kvStore });
        budget.expect(30);
        for (let i = 0; i < 30; i += 1) {
          await budget.acquire();
          starts.push(truth.now());
        }
        await budget.release();
      }
    };
    await Promise.all([worker(truth), worker(ahead)]);

    // Bynder's limit: 4,500 requests in any 5 minutes per IP. The skew adds at most 2 s of starts.
    expect(busiest(starts, RUN_MS)).toBeLessThanOrEqual(bound(RUN_MS));
    expect(bound(RUN_MS)).toBeLessThan(4_500);
    for (const windowMs of [1_000, 10_000, 60_000]) {
      expect(busiest(starts, windowMs)).toBeLessThanOrEqual(bound(windowMs));
    }
    // The budget is used: both workers together start about RPS a second.
    expect(starts.length).toBeGreaterThanOrEqual(0.95 * (RUN_MS / SPACING_MS));
  });
});
