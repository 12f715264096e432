// What a request budget is to its users (execute.ts, the Bynder client's beforeRequest): requests
// per second enforced by spacing, starts granted one at a time `1000 × (1 + margin) / N` ms apart,
// so N + 1 starts span at least (1 + margin) seconds and no 1-second window holds more than N. The
// margin absorbs the jitter between our grant and the server's clock. Spacing instead of a bucket:
// Bynder's WAF counts bursts. The install's budget, shared by every invocation, is install-budget.ts.

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
