import type { DestinationBatch, DestinationDeliverResult } from '@zaiusinc/app-sdk';
import { describe, expect, it } from 'vitest';

import type { AssetItem } from '../../src/lib/delivery';
import {
  choosePause,
  deliverWithRetries,
  MAX_RETRIES,
} from '../../dev/cli/sync/batches/deliver-with-retries';
import { inBatches } from '../../dev/cli/sync/batches/in-batches';
import { fakeClock } from '../helpers/fake-clock';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 1; i <= count; i++) yield i;
}

/** A destination that answers from a script and records each batch it was given. */
function scriptedDestination(answers: Array<DestinationDeliverResult | Error>) {
  const batches: Array<DestinationBatch<AssetItem>> = [];
  return {
    batches,
    deliver: async (batch: DestinationBatch<AssetItem>) => {
      batches.push(batch);
      const answer = answers[Math.min(batches.length - 1, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer ?? { success: true };
    },
  };
}

const SYNC = { id: 's1', name: 'test sync' };
const ITEMS: AssetItem[] = [{ asset_id: 'A' }];

describe('cutting batches', () => {
  it('cuts full batches and a shorter last one, in order', async () => {
    expect(await collect(inBatches(numbers(7), 3))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(await collect(inBatches(numbers(0), 3))).toEqual([]);
  });

  it('refuses a batch size below 1', async () => {
    await expect(collect(inBatches(numbers(1), 0))).rejects.toThrow(/from 1 up/);
  });
});

describe('delivering a batch with retries', () => {
  it('numbers attempts from 1 and stops at the first success', async () => {
    const clock = fakeClock();
    const destination = scriptedDestination([
      { success: false, retryable: true, failureReason: 'busy' },
      { success: true },
    ]);
    const delivery = await deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 100,
      maxBlockWaitMs: 0,
      clock,
      readBlockedUntil: async () => undefined,
    });
    expect(delivery).toEqual({ result: { success: true }, attempts: 2 });
    expect(destination.batches.map((b) => b.attempt)).toEqual([1, 2]);
    expect(destination.batches[1]).toEqual({ items: ITEMS, attempt: 2, sync: SYNC });
    expect(clock.sleeps).toEqual([100]);
  });

  it(`re-delivers a retryable batch at most ${MAX_RETRIES} times, doubling the pause`, async () => {
    const clock = fakeClock();
    const destination = scriptedDestination([{ success: false, retryable: true, failureReason: '5xx' }]);
    const delivery = await deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 100,
      maxBlockWaitMs: 0,
      clock,
      readBlockedUntil: async () => undefined,
    });
    expect(delivery.attempts).toBe(MAX_RETRIES + 1);
    expect(delivery.result).toMatchObject({ success: false, retryable: true });
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it('does not re-deliver a batch answered without retryable', async () => {
    const destination = scriptedDestination([
      { success: false, retryable: false, failureReason: 'rejected rows' },
    ]);
    const delivery = await deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 100,
      maxBlockWaitMs: 0,
      clock: fakeClock(),
      readBlockedUntil: async () => undefined,
    });
    expect(delivery.attempts).toBe(1);
  });

  it('treats a deliver() that throws as a failed, retryable batch (as OCP does)', async () => {
    const destination = scriptedDestination([new Error('boom'), { success: true }]);
    const delivery = await deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 1,
      maxBlockWaitMs: 0,
      clock: fakeClock(),
      readBlockedUntil: async () => undefined,
    });
    expect(delivery).toEqual({ result: { success: true }, attempts: 2 });
  });
});

describe('delivering a batch when the run is cancelled', () => {
  it('lets the attempt in progress end and counts its answer, but starts no retry after it', async () => {
    const cancel = new AbortController();
    const destination = {
      attempts: 0,
      deliver: async () => {
        destination.attempts += 1;
        cancel.abort('interrupted (Ctrl-C)'); // arrives while deliver() is in progress
        return { success: false, retryable: true, failureReason: '5xx' };
      },
    };
    const clock = fakeClock();
    const delivery = await deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 100,
      maxBlockWaitMs: 0,
      clock,
      readBlockedUntil: async () => undefined,
      signal: cancel.signal,
    });
    expect(destination.attempts).toBe(1);
    expect(delivery).toMatchObject({ attempts: 1, retryCancelled: true, result: { retryable: true } });
    expect(clock.sleeps).toEqual([]);
  });

  it('ends a retry pause at once when the run is cancelled during it', async () => {
    const cancel = new AbortController();
    const destination = scriptedDestination([{ success: false, retryable: true, failureReason: '429' }]);
    // A pause that would never end on its own: only the cancellation can end it.
    const clock = { now: () => 0, sleep: () => new Promise<void>(() => undefined) };
    const delivery = deliverWithRetries(destination, ITEMS, SYNC, {
      retryPauseMs: 100,
      maxBlockWaitMs: 0,
      clock,
      readBlockedUntil: async () => undefined,
      signal: cancel.signal,
      onRetry: () => cancel.abort('cancelled from the page'),
    });
    await expect(delivery).resolves.toMatchObject({ attempts: 1, retryCancelled: true });
    expect(destination.batches).toHaveLength(1);
  });
});

describe('retry pause', () => {
  const clock = fakeClock(0);
  it('waits out a rate-limit block the app reports, when it is longer than the backoff', () => {
    expect(choosePause(1, { retryPauseMs: 500, maxBlockWaitMs: 600_000, clock }, 300_000)).toBe(300_000);
  });

  it('caps the block part at maxBlockWaitMs, but never goes below the backoff', () => {
    expect(choosePause(1, { retryPauseMs: 500, maxBlockWaitMs: 10_000, clock }, 300_000)).toBe(10_000);
    expect(choosePause(3, { retryPauseMs: 500, maxBlockWaitMs: 0, clock }, 300_000)).toBe(2_000);
  });

  it('ignores a block that is already over', () => {
    expect(choosePause(1, { retryPauseMs: 500, maxBlockWaitMs: 600_000, clock }, -1)).toBe(500);
  });
});
