import { describe, expect, it } from 'vitest';

import {
  asksForRetry,
  FIRST_ATTEMPT,
  MAY_BE_LAST_FROM,
  OUTBOX_REPLAY_ATTEMPT,
  redeliveryAfter,
} from '../../src/lib/delivery-attempt';

// OCP numbers a batch's deliveries from 1 and publishes no retry count: from attempt 3 on (three
// deliveries in all, or the third of four), an attempt may be the last.

describe('redeliveryAfter', () => {
  it("counts attempts from 1 and takes attempt 3 on as possibly OCP's last", () => {
    expect(FIRST_ATTEMPT).toBe(1);
    expect(MAY_BE_LAST_FROM).toBe(3);
    expect([1, 2, 3, 4, 5, 40].map((attempt) => redeliveryAfter({ attempt }, true))).toEqual([
      'expected',
      'expected',
      'possible',
      'possible',
      'possible',
      'possible',
    ]);
  });

  it('expects no redelivery after an answer that is not retryable, whatever the attempt', () => {
    for (const attempt of [OUTBOX_REPLAY_ATTEMPT, 1, 2, 3, 4]) {
      expect(redeliveryAfter({ attempt }, false)).toBe('none');
    }
  });

  it("expects the outbox's replay to come again: the app, not OCP, repeats it", () => {
    expect(redeliveryAfter({ attempt: OUTBOX_REPLAY_ATTEMPT }, true)).toBe('expected');
  });
});

describe('asksForRetry', () => {
  it('asks for a retry only with records pending and no stop only the user can clear', () => {
    expect(asksForRetry(true, undefined)).toBe(true);
    expect(asksForRetry(true, { retryable: true })).toBe(true);
    expect(asksForRetry(true, { retryable: false })).toBe(false);
    expect(asksForRetry(false, undefined)).toBe(false);
    expect(asksForRetry(false, { retryable: true })).toBe(false);
  });
});
