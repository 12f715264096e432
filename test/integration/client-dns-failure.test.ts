import type { LookupFunction } from 'node:net';

import { describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { BynderUnavailableError } from '../../src/lib/bynder/errors';
import { describeTransportFailure } from '../../src/lib/bynder/transport-failure';
import { isRetryable } from '../../src/lib/app-error';
import { captureFailure } from '../helpers/capture-failure';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';

// A host name that does not resolve says the portal setting is wrong: the transport does not ask
// again, and the error it throws says the same to every caller (`retryable`), so the client's
// retries, a delivery's answer to OCP and the settings form never disagree. The resolver is
// stubbed: no real DNS, and no connection is ever attempted.

function unresolvable(code: string, lookups: string[]): LookupFunction {
  return ((hostname: string, _options: unknown, callback: (error: Error) => void) => {
    lookups.push(hostname);
    callback(Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code }));
  }) as unknown as LookupFunction;
}

describe('a DNS failure: one answer in the transport and on the error', () => {
  it.each(['ENOTFOUND'])(
    '%s: not retried by the client, and not retryable on the error it throws',
    async (code) => {
      const lookups: string[] = [];
      const said: string[] = [];
      const client = new BynderClient({
        portalUrl: portalOf('https://no-such-portal.bynder.com'),
        credentials: { kind: 'permanent_token', token: 'dns-T0KEN-7e1f3a9c5b' },
        logger: recordingLogger(said),
        retries: 3,
        random: () => 0,
        lookup: unresolvable(code, lookups),
      });

      const error = await captureFailure(client.listMetaproperties(), said);

      const transport = describeTransportFailure(Object.assign(new Error(code), { code }), {
        timedOut: false,
        timeoutMs: 30_000,
      });
      expect(transport).toMatchObject({ kind: 'dns', retryable: false });
      expect(error).toBeInstanceOf(BynderUnavailableError);
      const unavailable = error as BynderUnavailableError;
      expect(unavailable.noAnswer).toMatchObject({ kind: 'dns', code });
      // Both places agree: the class no longer says "retryable" where the transport says "no".
      expect(unavailable.retryable).toBe(transport.retryable);
      expect(unavailable.retriedWithBackoff).toBe(false);
      expect(isRetryable(error)).toBe(false);
      // The listing falls back once to a listing without options (as for any no-answer), and
      // neither request is retried: two lookups with three retries allowed.
      expect(lookups).toEqual(['no-such-portal.bynder.com', 'no-such-portal.bynder.com']);
      expect(said.join('\n')).not.toMatch(/retry \d of/);
    },
  );

  it("EAI_AGAIN (the resolver's temporary failure): retried by the client, and retryable on the error", async () => {
    const lookups: string[] = [];
    const said: string[] = [];
    const client = new BynderClient({
      portalUrl: portalOf('https://flaky-dns.bynder.com'),
      credentials: { kind: 'permanent_token', token: 'dns-T0KEN-7e1f3a9c5b' },
      logger: recordingLogger(said),
      retries: 2,
      random: () => 0,
      lookup: unresolvable('EAI_AGAIN', lookups),
    });

    const error = await captureFailure(client.listMetaproperties(), said);

    const transport = describeTransportFailure(Object.assign(new Error('EAI_AGAIN'), { code: 'EAI_AGAIN' }), {
      timedOut: false,
      timeoutMs: 30_000,
    });
    expect(transport).toMatchObject({ kind: 'dns', retryable: true });
    expect(error).toBeInstanceOf(BynderUnavailableError);
    const unavailable = error as BynderUnavailableError;
    expect(unavailable.retryable).toBe(transport.retryable);
    expect(unavailable.retriedWithBackoff).toBe(true);
    expect(isRetryable(error)).toBe(true);
    // Each of the two listings (with options, then the fallback without) is asked 1 + 2 times.
    expect(lookups).toHaveLength(6);
  });
});
