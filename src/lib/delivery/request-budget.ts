import type { Clock } from '../runtime-ports';

// Requests per second, enforced by spacing: request starts are granted one at a time, each at least
// `spacingMs` after the previous grant, measured on the clock after any wait. N + 1 grants then span
// at least N * spacingMs = (1 + margin) seconds, so no 1-second window ever holds more than N starts.
// The margin absorbs the jitter between our grant and the server's clock (a start that leaves late
// next to one that leaves on time). Spacing instead of a bucket: Bynder's WAF counts bursts.

/**
 * Default share of a second kept free per window, so server-side timestamps stay inside the budget
 * (20 ms a window). Small on purpose: the budget itself (default 10/s) already sits well under
 * Bynder's limit (4,500 per 5 minutes, 15/s), and every point of margin is throughput lost.
 */
export const DEFAULT_BUDGET_MARGIN = 0.02;

export interface RequestBudget {
  /** Resolves when one request may start; rejects with BudgetHaltedError once halt() was called. */
  acquire: () => Promise<void>;
  /** Stops granting at once (after a 429): every waiting and later acquire() rejects. */
  halt(): void;
  /** Request starts granted so far. */
  readonly granted: number;
}

/** Thrown into a request that was about to start after the budget was halted. */
export class BudgetHaltedError extends Error {
  public override name = 'BudgetHaltedError';
  public constructor() {
    super('Sending was stopped (Bynder rate limit); this request was not sent');
  }
}

export function createRequestBudget(options: {
  requestsPerSecond: number;
  clock: Clock;
  margin?: number;
}): RequestBudget {
  const { requestsPerSecond, clock, margin = DEFAULT_BUDGET_MARGIN } = options;
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
    throw new TypeError(
      `Expected \`requestsPerSecond\` to be a positive number, got ${String(requestsPerSecond)}`,
    );
  }
  if (!Number.isFinite(margin) || margin < 0) {
    throw new TypeError(`Expected \`margin\` to be 0 or more, got ${String(margin)}`);
  }
  const spacingMs = (1000 * (1 + margin)) / requestsPerSecond;

  let lastGrant = Number.NEGATIVE_INFINITY;
  let granted = 0;
  let halted = false;
  // One grant at a time: each waits for the one before, so spacing is measured from real grant times.
  let queue: Promise<void> = Promise.resolve();

  const grantNext = async (): Promise<void> => {
    if (halted) throw new BudgetHaltedError();
    // A loop, not one sleep: a timer may fire a millisecond early by the clock's reckoning.
    for (
      let waitMs = lastGrant + spacingMs - clock.now();
      waitMs > 0;
      waitMs = lastGrant + spacingMs - clock.now()
    ) {
      await clock.sleep(waitMs);
      if (halted) throw new BudgetHaltedError();
    }
    lastGrant = clock.now();
    granted += 1;
  };

  return {
    acquire: () => {
      const turn = queue.then(grantNext);
      queue = turn.catch(() => undefined);
      return turn;
    },
    halt: () => {
      halted = true;
    },
    get granted() {
      return granted;
    },
  };
}
