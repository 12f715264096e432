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

/** The spacing state: when the last start was granted, and the queue grants wait in. */
interface Pacer {
  lastGrant: number;
  queue: Promise<void>;
}

// Budgets that name the same `shareKey` (the portal) pace together in this process: consecutive
// deliver() calls and the schema function's metaproperty listing then keep one spacing between them,
// instead of each starting afresh with a burst. Keyed per clock as well, so a test's fake clock never
// shares a pacer with real time. Invocations in other processes still have their own (docs/delivery.md).
const sharedPacers = new WeakMap<Clock, Map<string, Pacer>>();

function pacerFor(clock: Clock, shareKey: string | undefined): Pacer {
  const fresh = (): Pacer => ({ lastGrant: Number.NEGATIVE_INFINITY, queue: Promise.resolve() });
  if (shareKey === undefined) return fresh();
  const byKey = sharedPacers.get(clock) ?? new Map<string, Pacer>();
  sharedPacers.set(clock, byKey);
  const pacer = byKey.get(shareKey) ?? fresh();
  byKey.set(shareKey, pacer);
  return pacer;
}

export function createRequestBudget(options: {
  requestsPerSecond: number;
  clock: Clock;
  margin?: number;
  /** Pace together with every other budget of this process that names the same key (the portal). */
  shareKey?: string;
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
  // One grant at a time: each waits for the one before, so spacing is measured from real grant times.
  const pacer = pacerFor(clock, options.shareKey);
  let granted = 0;
  let halted = false;

  const grantNext = async (): Promise<void> => {
    if (halted) throw new BudgetHaltedError();
    // A loop, not one sleep: a timer may fire a millisecond early by the clock's reckoning.
    for (
      let waitMs = pacer.lastGrant + spacingMs - clock.now();
      waitMs > 0;
      waitMs = pacer.lastGrant + spacingMs - clock.now()
    ) {
      await clock.sleep(waitMs);
      if (halted) throw new BudgetHaltedError();
    }
    pacer.lastGrant = clock.now();
    granted += 1;
  };

  return {
    acquire: () => {
      const turn = pacer.queue.then(grantNext);
      pacer.queue = turn.catch(() => undefined);
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
