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

/**
 * Virtual time with timers, for concurrent sleepers: a sleep ends when time reaches its end, and
 * time jumps to the earliest end once every pending promise has settled (setImmediate runs after
 * them). fakeClock() moves time on at every sleep, which concurrent sleepers would add up.
 * `lateMs` makes each timer fire that much later than asked (a busy process), chosen per timer.
 * `busy` says that work outside this clock is still under way (a store call the SDK answers on a
 * real timer, as the real SDK's local store does): time stands still until it is done, so a store
 * call takes no virtual time whichever SDK serves it.
 */
export function timerClock(
  start = Date.UTC(2025, 0, 1),
  lateMs: () => number = () => 0,
  busy: () => boolean = () => false,
): Clock {
  let now = start;
  const timers: Array<{ at: number; resolve: () => void }> = [];
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled || timers.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (busy()) {
        schedule();
        return;
      }
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (!next) return;
      now = Math.max(now, next.at);
      next.resolve();
      schedule();
    });
  };
  return {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        timers.push({ at: now + Math.max(0, ms) + lateMs(), resolve });
        schedule();
      }),
  };
}
