import { getMaxListeners } from 'node:events';

import { describe, expect, it } from 'vitest';

import { DEADLINE_LISTENERS, startDeadline } from '../../src/lib/pacing/deadline';
import { fakeClock } from '../helpers/fake-clock';

describe('startDeadline', () => {
  it('lets every exchange in flight listen to its signal without a leak warning', () => {
    const { signal } = startDeadline(fakeClock(), 1_000);
    // A Bynder request per write slot and, per upload stream, a file fetch and an S3 POST: at the
    // highest max_in_flight (10) that is past Node's default of 10 listeners.
    expect(getMaxListeners(signal)).toBe(DEADLINE_LISTENERS);
    expect(DEADLINE_LISTENERS).toBeGreaterThanOrEqual(3 * 10 + 1);
  });
});
