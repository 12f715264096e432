import { describe, expect, it } from 'vitest';

import { BynderAuthError, BynderUnavailableError } from '../../src/lib/bynder/errors';
import { ConfigError } from '../../src/lib/config';
import {
  countOutcomes,
  failureFromError,
  MAX_FAILURE_REASON_LENGTH,
  readBatchLine,
  rejectedOutcome,
  reportBatch,
  toDeliverResult,
} from '../../src/lib/delivery/outcome';
import type { RecordOutcome } from '../../src/lib/delivery/outcome';
import { recordingLogger } from '../helpers/test-loggers';

let position = 0;
const next = (n = 1) => Array.from({ length: n }, () => position++);
const applied = (key: string, n = 1): RecordOutcome => ({
  status: 'applied',
  key,
  subject: `asset_id "${key}"`,
  records: next(n),
});
/** A rejection for `problem`, carried on `field` when one is at fault. */
const rejected = (key: string, problem: string, field?: string): RecordOutcome => ({
  status: 'rejected',
  key,
  subject: `asset_id "${key}"`,
  records: next(),
  problems: [field ? { field, problem } : { problem }],
  ...(field ? { field } : {}),
});
const pending = (key: string, cause = 'Bynder unavailable'): RecordOutcome => ({
  status: 'pending',
  key,
  subject: `asset_id "${key}"`,
  records: next(),
  cause,
});

describe('toDeliverResult', () => {
  it('succeeds when every record was applied', () => {
    expect(toDeliverResult([applied('A'), applied('B', 3)])).toEqual({ success: true });
  });

  it('succeeds for an empty batch', () => {
    expect(toDeliverResult([])).toEqual({ success: true });
  });

  it('fails without retry when only rejections are left, naming key, field and reason', () => {
    const result = toDeliverResult([
      applied('A'),
      rejected('B', '"Sumer" is not an option (Summer, Winter)', 'campaign'),
    ]);
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toBe(
      '1 of 2 records rejected: asset_id "B" field "campaign": "Sumer" is not an option (Summer, Winter); 1 applied',
    );
  });

  it('asks for a retry when something is pending, and counts each class', () => {
    const result = toDeliverResult([
      applied('A', 2),
      pending('B'),
      pending('C', 'rate limited by Bynder'),
      rejected('D', 'asset not found in Bynder'),
    ]);
    expect(result).toMatchObject({ success: false, retryable: true });
    expect(result.failureReason).toContain(
      '2 of 5 records pending (1 Bynder unavailable, 1 rate limited by Bynder)',
    );
    expect(result.failureReason).toContain(
      '1 of 5 records rejected: asset_id "D": asset not found in Bynder',
    );
    expect(result.failureReason).toContain('2 applied');
  });

  it('asks for a retry when only pending records are left', () => {
    expect(toDeliverResult([pending('A'), pending('B')])).toEqual({
      success: false,
      retryable: true,
      failureReason: '2 of 2 records pending (Bynder unavailable); 0 applied',
    });
  });

  it('does not retry pending records when the stop says only the user can fix it', () => {
    const result = toDeliverResult([applied('A'), pending('B', 'not sent: credentials refused')], {
      message: 'Bynder refused the permanent token (401): create a new token',
      retryable: false,
    });
    expect(result.success).toBe(false);
    expect(result.retryable).toBe(false);
    expect(result.failureReason?.startsWith('Bynder refused the permanent token (401)')).toBe(true);
    expect(result.failureReason).toContain('1 of 2 records pending (not sent: credentials refused)');
  });

  it('keeps failureReason within 1,000 characters with thousands of long reasons, counts intact', () => {
    const many = Array.from({ length: 3_000 }, (_, i) => rejected(`KEY-${i}`, 'x'.repeat(500), 'notes'));
    const result = toDeliverResult([...many, pending('P'), applied('Z')]);
    expect(result.failureReason?.length).toBeLessThanOrEqual(MAX_FAILURE_REASON_LENGTH);
    expect(result.failureReason).toContain('1 of 3002 records pending');
    expect(result.failureReason).toContain('3000 of 3002 records rejected: asset_id "KEY-0" field "notes"');
    expect(result.failureReason).toMatch(/and \d+ more; 1 applied$/);
    expect(result.retryable).toBe(true);
  });

  it('counts every event an outcome covers', () => {
    const result = toDeliverResult([
      {
        status: 'rejected',
        key: 'A',
        subject: 'asset_id "A"',
        records: [0, 1, 2],
        problems: [{ problem: 'bad' }],
      },
    ]);
    expect(result.failureReason).toBe('3 of 3 records rejected: asset_id "A": bad; 0 applied');
  });
});

describe('failureFromError', () => {
  it('does not retry configuration and credential problems', () => {
    expect(failureFromError(new ConfigError('Portal is not set'))).toMatchObject({
      success: false,
      retryable: false,
    });
    expect(
      failureFromError(new BynderAuthError(401, 'GET /api/v4/metaproperties/', 'Unauthorized')),
    ).toMatchObject({ retryable: false });
  });

  it('retries transient and unknown failures', () => {
    expect(failureFromError(new BynderUnavailableError('GET /x', 'timed out'))).toMatchObject({
      retryable: true,
    });
    expect(failureFromError(new Error('boom'))).toMatchObject({ retryable: true });
  });

  it('redacts secrets and bounds the text', () => {
    const result = failureFromError(new Error(`token s3cr3t leaked ${'y'.repeat(2_000)}`), ['s3cr3t']);
    expect(result.failureReason).not.toContain('s3cr3t');
    expect(result.failureReason?.length).toBeLessThanOrEqual(MAX_FAILURE_REASON_LENGTH);
  });
});

describe('the batch line and its unchanged records', () => {
  const outcomes: RecordOutcome[] = [
    { status: 'applied', key: 'A', subject: 'a', records: [0, 1] },
    { status: 'applied', unchanged: true, key: 'B', subject: 'b', records: [2] },
    { status: 'pending', key: 'C', subject: 'c', records: [3], cause: 'Bynder unavailable' },
  ];

  it('counts unchanged records among the applied ones', () => {
    expect(countOutcomes(outcomes)).toEqual({
      applied: 3,
      unchanged: 1,
      rejected: 0,
      pending: 1,
      created: 0,
      versioned: 0,
      queued: 0,
      held: 0,
      total: 4,
    });
  });

  it('reads back what reportBatch logged, sync name included', () => {
    const lines: string[] = [];
    const traffic = { requests: 2, rateLimited: 0, serverErrors: 0 };
    const report = { syncName: 'Assets "nightly"', attempt: 2, startedAt: 0, traffic };
    reportBatch(
      { logger: recordingLogger(lines), clock: { now: () => 10, sleep: () => Promise.resolve() } },
      report,
      {
        outcomes,
      },
    );
    expect(lines[0]).toContain('4 records: 3 applied (1 unchanged), 0 rejected, 1 pending;');
    expect(readBatchLine(lines[0] ?? '')).toEqual({
      syncName: 'Assets "nightly"',
      total: 4,
      applied: 3,
      unchanged: 1,
      rejected: 0,
      pending: 1,
      created: 0,
      versioned: 0,
      queued: 0,
      kept: 0,
      held: 0,
    });
    expect(
      readBatchLine(
        'Bynder delivery for sync "A" attempt 1: 5 records: 1 applied (0 unchanged), 0 rejected, 0 pending, 4 held; 5 requests',
      ),
    ).toMatchObject({ applied: 1, pending: 0, held: 4, queued: 0 });
    expect(
      readBatchLine(
        'Bynder delivery for sync "A" attempt 1: 5 records: 3 applied (0 unchanged), 0 rejected, 0 pending; 2 created, 1 versioned, 2 queued for creation; 30 requests',
      ),
    ).toMatchObject({ applied: 3, created: 2, versioned: 1, queued: 2 });
    expect(
      readBatchLine(
        'Bynder delivery for sync "A" attempt 1: 2 records: 1 applied (0 unchanged), 1 rejected, 0 pending; 1 kept for a retry; 3 requests',
      ),
    ).toMatchObject({ rejected: 1, kept: 1 });
    expect(readBatchLine('Settings: throughput saved')).toBeUndefined();
  });
});

describe('which rejections are kept for a retry', () => {
  const record = { key: 'K', subject: 'asset_id "K"', records: [0] };
  it("keeps a record only when every problem is Bynder's state, an option one first", () => {
    const option = { field: 'campaign', problem: '"X" is not an option', bynder: 'option' as const };
    const asset = { problem: 'asset not found in Bynder', bynder: 'asset' as const };
    const badDate = { field: 'date_published', problem: 'is not a date' };
    expect(rejectedOutcome(record, [option]).keptFor).toBe('option');
    expect(rejectedOutcome(record, [asset]).keptFor).toBe('asset');
    expect(rejectedOutcome(record, [asset, option]).keptFor).toBe('option');
    expect(rejectedOutcome(record, [option, badDate]).keptFor).toBeUndefined();
    expect(rejectedOutcome(record, [badDate]).keptFor).toBeUndefined();
    // Made anew: a rejection re-made with other problems does not carry the old cause.
    expect(rejectedOutcome(rejectedOutcome(record, [option]), [badDate]).keptFor).toBeUndefined();
  });
});
