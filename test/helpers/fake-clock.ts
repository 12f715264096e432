import { systemClock, type Clock } from '../../src/lib/runtime-ports';

export interface FakeClock extends Clock {
  /** Moves time on by hand. */
  advance(ms: number): void;
  /** Every pause asked of sleep(), in order. */
  readonly sleeps: number[];
}

/**
 * A clock that moves only when told: advance(ms), or sleep(ms), which records the pause, yields once
 * (so concurrent waiters interleave as with real timers) and moves time on. Time is exact and a test
 * takes no real time.
 */
export function fakeClock(start = Date.UTC(2025, 0, 1)): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      await Promise.resolve();
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/**
 * Real time, `offsetMs` ahead (sleeps are real): for tests against the emulator that must step past
 * a block or a cache's age while requests really travel.
 */
export function clockAhead(offsetMs: number): Clock {
  return { ...systemClock, now: () => systemClock.now() + offsetMs };
}
