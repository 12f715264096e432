import { describe, expect, it } from 'vitest';

import { computeBackoffMs } from '../../src/lib/bynder/backoff';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from '../../src/lib/bynder/constants';

describe('computeBackoffMs: exponential backoff with full jitter', () => {
  it('draws from [0, base * 2^attempt) while under the cap', () => {
    for (const attempt of [0, 1, 2, 3]) {
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
      expect(computeBackoffMs(attempt, { random: () => 0 })).toBe(0);
      expect(computeBackoffMs(attempt, { random: () => 0.5 })).toBe(Math.floor(ceiling / 2));
      expect(computeBackoffMs(attempt, { random: () => 0.999999 })).toBeLessThan(ceiling);
    }
  });

  it('doubles the ceiling with each attempt', () => {
    const atHalf = [0, 1, 2, 3].map((attempt) =>
      computeBackoffMs(attempt, { baseMs: 100, maxMs: 10_000, random: () => 0.5 }),
    );
    expect(atHalf).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(computeBackoffMs(30, { baseMs: 100, maxMs: 1_000, random: () => 0.999 })).toBe(999);
    expect(computeBackoffMs(1_000, { random: () => 0.999 })).toBeLessThan(BACKOFF_MAX_MS);
  });

  it('keeps a misbehaving random source inside the bounds', () => {
    expect(computeBackoffMs(2, { baseMs: 100, maxMs: 1_000, random: () => -3 })).toBe(0);
    expect(computeBackoffMs(2, { baseMs: 100, maxMs: 1_000, random: () => 7 })).toBe(400);
  });

  it('spreads retries: real jitter gives different delays', () => {
    const delays = new Set(Array.from({ length: 50 }, () => computeBackoffMs(3)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(BACKOFF_BASE_MS * 8);
    }
  });
});
