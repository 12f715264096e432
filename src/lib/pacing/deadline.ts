import type { RequestDeadline } from '../bynder/client-options';
import type { Clock } from '../runtime-ports';

// deliver() works to a time budget. OCP publishes no time limit for deliver(); the only limit it
// publishes is for jobs, whose perform() should finish a unit of work within 60 s. An invocation is
// taken to live under the same kind of limit, so the budget ends 15 s short of it: room for the
// end-of-batch kvStore writes, the report and the platform's own overhead. Within the budget no
// request (and no retry) starts that cannot finish before it ends, requests still in flight when it
// ends are cut, the ledger is checkpointed, and the rest is handed back to OCP as retryable.

/** The time one deliver() may spend, from the moment its Bynder client is made. */
export const DELIVERY_TIME_BUDGET_MS = 45_000;
/**
 * A request starts only with this much of the budget left (a quarter of a budget shorter than 8 s).
 * Bynder answers a modify in well under a second; a request started later would most likely be cut,
 * and a cut write is sent again by the retry anyway.
 */
export const MIN_REQUEST_WINDOW_MS = 2_000;

/** The batch's stop when the budget ran out (`budgetMs` as started, for the message). */
export function timeBudgetStop(budgetMs = DELIVERY_TIME_BUDGET_MS): { message: string; retryable: true } {
  return {
    message: `the time budget of one delivery (${Math.round(budgetMs / 100) / 10} s) ran out; what was not applied is left for OCP's retry`,
    retryable: true,
  };
}

export interface DeliveryDeadline extends RequestDeadline {
  /** The budget this deadline was started with, in ms. */
  readonly budgetMs: number;
}

/**
 * A deadline `budgetMs` from now on `clock`. Its signal aborts after that long in real time, or as
 * soon as a check finds the clock past it (a test's clock may jump), whichever comes first.
 */
export function startDeadline(clock: Clock, budgetMs = DELIVERY_TIME_BUDGET_MS): DeliveryDeadline {
  const endsAt = clock.now() + budgetMs;
  const window = Math.min(MIN_REQUEST_WINDOW_MS, budgetMs / 4);
  const passed = new AbortController();
  // A plain timer, held by the deadline, not AbortSignal.timeout inside AbortSignal.any: on Node 20
  // such a composite can be garbage-collected before it fires, and the budget then never cuts a
  // stalled request (seen in this suite). unref: the timer does not keep the process alive.
  const timer = setTimeout(() => passed.abort(), Math.max(0, budgetMs));
  timer.unref();
  const { signal } = passed;
  return {
    budgetMs,
    signal,
    allowsStart: (waitMs = 0) => {
      const left = endsAt - clock.now();
      if (left <= 0 && !signal.aborted) passed.abort();
      return !signal.aborted && left - waitMs >= window;
    },
  };
}
