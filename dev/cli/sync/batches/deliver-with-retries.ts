import type { DestinationBatch, DestinationDeliverResult } from '@zaiusinc/app-sdk';

import { type AssetItem, FIRST_ATTEMPT } from '../../../../src/lib/delivery';
import type { Clock } from '../../../../src/lib/runtime-ports';

// The Sync Manager's side of delivery: attempt numbers start at 1 (FIRST_ATTEMPT), a batch answered
// `retryable` is delivered again (the same items, attempt + 1) after a pause, up to MAX_RETRIES times.

/**
 * OCP publishes no retry count; "up to three retries" read the longer way (attempts 1 to 4), so a
 * local run reaches both attempts the app treats as possibly OCP's last (src/lib/delivery-attempt.ts).
 */
export const MAX_RETRIES = 3;

export interface RetryPolicy {
  /** Pause before the first retry; doubled before each further one. */
  retryPauseMs: number;
  /** The longest pause the runner accepts for a rate-limit block the app reports. */
  maxBlockWaitMs: number;
  clock: Clock;
  /** When the app has recorded a Bynder rate-limit block, when it ends (ms epoch). */
  readBlockedUntil: () => Promise<number | undefined>;
  /**
   * Cancels the run: the attempt in progress ends normally, but no retry starts after it (a pause
   * before one ends at once). Its reason says why, e.g. "interrupted (Ctrl-C)".
   */
  signal?: AbortSignal;
  /** Runs before every attempt (the runner empties the app's rejection log here). */
  beforeAttempt?: (attempt: number) => Promise<void>;
  onRetry?: (info: {
    attempt: number;
    pauseMs: number;
    failureReason: string;
    blockedUntil?: number;
  }) => void;
}

export interface BatchDelivery {
  result: DestinationDeliverResult;
  attempts: number;
  /** The run was cancelled before a retry this batch needed. */
  retryCancelled?: boolean;
}

export interface Deliverer {
  deliver(batch: DestinationBatch<AssetItem>): Promise<DestinationDeliverResult>;
}

export async function deliverWithRetries(
  destination: Deliverer,
  items: AssetItem[],
  sync: { id: string; name: string },
  policy: RetryPolicy,
): Promise<BatchDelivery> {
  for (let attempt = FIRST_ATTEMPT; ; attempt += 1) {
    await policy.beforeAttempt?.(attempt);
    const result = await deliverOnce(destination, { items, attempt, sync });
    if (result.success || result.retryable !== true || attempt > MAX_RETRIES) {
      return { result, attempts: attempt };
    }
    if (policy.signal?.aborted) return { result, attempts: attempt, retryCancelled: true };
    const blockedUntil = await policy.readBlockedUntil();
    const pauseMs = choosePause(attempt, policy, blockedUntil);
    policy.onRetry?.({
      attempt: attempt + 1,
      pauseMs,
      failureReason: result.failureReason ?? 'no reason given',
      blockedUntil,
    });
    await pauseUnlessCancelled(policy.clock, pauseMs, policy.signal);
    if (policy.signal?.aborted) return { result, attempts: attempt, retryCancelled: true };
  }
}

/** The clock's sleep, ended early when the run is cancelled (a rate-limit pause can last minutes). */
async function pauseUnlessCancelled(
  clock: Clock,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms).then(done);
  });
}

/**
 * The retry pause: `retryPauseMs * 2^(attempt-1)`, or longer when the app reports a rate-limit block
 * (retrying inside a Bynder block only extends it); the block's part is capped at `maxBlockWaitMs`.
 */
export function choosePause(
  attempt: number,
  policy: Pick<RetryPolicy, 'retryPauseMs' | 'maxBlockWaitMs' | 'clock'>,
  blockedUntil?: number,
): number {
  const backoff = policy.retryPauseMs * 2 ** (attempt - 1);
  const block = blockedUntil === undefined ? 0 : Math.max(0, blockedUntil - policy.clock.now());
  return Math.max(backoff, Math.min(block, policy.maxBlockWaitMs));
}

/** A deliver() that throws is treated as OCP treats it: a failed, retryable batch. */
async function deliverOnce(
  destination: Deliverer,
  batch: DestinationBatch<AssetItem>,
): Promise<DestinationDeliverResult> {
  try {
    return await destination.deliver(batch);
  } catch (error) {
    return {
      success: false,
      retryable: true,
      failureReason: `deliver() threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    };
  }
}
