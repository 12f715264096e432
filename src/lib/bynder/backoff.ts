import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from './constants';

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Returns a number in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

/**
 * Delay before retry `attempt` (0 for the first retry): exponential backoff with full jitter, i.e. a
 * uniform draw in [0, min(maxMs, baseMs * 2^attempt)). Full jitter spreads the retries of many
 * workers hit by the same outage instead of having them return in lockstep.
 */
export function computeBackoffMs(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = BACKOFF_BASE_MS, maxMs = BACKOFF_MAX_MS, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}
