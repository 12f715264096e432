import { setMaxListeners } from 'node:events';

import type { RequestDeadline } from '../bynder/client-options';
import { LIMITS } from '../config';
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

/**
 * Abort listeners the deadline's signal may legitimately hold at once: one Bynder request per write
 * slot, one file fetch and one S3 POST per upload stream (as many streams as slots), the poller's
 * poll, and a couple more (the lookups' and the job's own), at the highest max_in_flight.
 */
export const DEADLINE_LISTENERS = 3 * LIMITS.maxInFlight.max + 4;

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
  // Every exchange in flight listens to this one signal (so the budget's end cuts it) and stops
  // listening when it ends: a Bynder request per write slot, and per upload stream its file's fetch
  // and an S3 chunk POST, plus the import poller's poll. That is legitimately more than Node's
  // default warning threshold of 10, so the threshold is set to what the highest max_in_flight
  // allows; listeners piling up past it would still be a leak, and still warn.
  setMaxListeners(DEADLINE_LISTENERS, signal);
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
