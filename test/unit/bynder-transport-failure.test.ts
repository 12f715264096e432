import { describe, expect, it } from 'vitest';

import { describeTransportFailure, findErrorCode } from '../../src/lib/bynder/transport-failure';

function errorWithCode(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`failed: ${code}`), { code }, extra);
}

const context = { timedOut: false, timeoutMs: 30_000 };

describe('describeTransportFailure: which unanswered requests are retried', () => {
  it.each([
    ['ECONNRESET', true, 'reset'],
    ['EPIPE', true, 'reset'],
    ['ECONNREFUSED', true, 'refused'],
    ['ECONNABORTED', true, 'timed out after 30000 ms'],
    ['ETIMEDOUT', true, 'timed out'],
    ['ENOTFOUND', false, 'check the portal'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', false, 'TLS'],
    ['ERR_FR_TOO_MANY_REDIRECTS', false, 'request failed'],
  ])('%s → retried: %s', (code, retryable, detail) => {
    const failure = describeTransportFailure(errorWithCode(code), context);
    expect(failure.retryable).toBe(retryable);
    expect(failure.detail).toContain(detail);
    expect(failure.code).toBe(code);
  });

  it('calls an aborted deadline a timeout whatever the error code', () => {
    const failure = describeTransportFailure(errorWithCode('ERR_CANCELED'), {
      timedOut: true,
      timeoutMs: 250,
    });
    expect(failure).toMatchObject({ retryable: true, detail: 'timed out after 250 ms without an answer' });
  });

  it('finds the code inside an AggregateError or a cause', () => {
    const aggregate = Object.assign(new AggregateError([errorWithCode('ECONNREFUSED')], 'all failed'), {
      code: undefined,
    });
    expect(findErrorCode(aggregate)).toBe('ECONNREFUSED');
    expect(findErrorCode(new Error('wrapped', { cause: errorWithCode('ECONNRESET') }))).toBe('ECONNRESET');
    expect(describeTransportFailure('not an error', context)).toMatchObject({
      code: 'UNKNOWN',
      retryable: false,
    });
  });
});
