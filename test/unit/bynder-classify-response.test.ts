import { describe, expect, it } from 'vitest';

import { classifyResponse, readBynderMessage } from '../../src/lib/bynder/classify-response';
import { MAX_DETAIL_LENGTH } from '../../src/lib/bynder/constants';
import { REDACTED, redactSecrets } from '../../src/lib/redact';
import {
  BynderApiError,
  BynderAuthError,
  BynderNotFoundError,
  BynderPermissionError,
  BynderRateLimitError,
  BynderUnavailableError,
} from '../../src/lib/bynder/errors';
import {
  DELETE_MEDIA_ROUTE,
  GET_MEDIA_ROUTE,
  LIST_METAPROPERTIES_ROUTE,
  OAUTH_TOKEN_ROUTE,
  UPDATE_MEDIA_ROUTE,
} from '../../src/lib/bynder/routes';

describe('classifyResponse: one status, one error class, one fix', () => {
  it.each([
    [
      401,
      GET_MEDIA_ROUTE,
      BynderAuthError,
      false,
      'check the permanent token / client credentials in the app settings',
    ],
    [400, OAUTH_TOKEN_ROUTE, BynderAuthError, false, 'check the OAuth client id and client secret'],
    [401, OAUTH_TOKEN_ROUTE, BynderAuthError, false, 'check the OAuth client id and client secret'],
    [403, UPDATE_MEDIA_ROUTE, BynderPermissionError, false, "the token's user needs the MEDIAEDIT role"],
    [403, DELETE_MEDIA_ROUTE, BynderPermissionError, false, "the token's user needs the MEDIAREMOVE role"],
    [403, LIST_METAPROPERTIES_ROUTE, BynderPermissionError, false, 'read access to metaproperties'],
    [404, GET_MEDIA_ROUTE, BynderNotFoundError, false, 'check the id'],
    [429, UPDATE_MEDIA_ROUTE, BynderRateLimitError, true, 'rate limit'],
    [500, GET_MEDIA_ROUTE, BynderUnavailableError, true, 'try again later'],
    [502, GET_MEDIA_ROUTE, BynderUnavailableError, true, 'try again later'],
    [503, GET_MEDIA_ROUTE, BynderUnavailableError, true, 'try again later'],
    [504, GET_MEDIA_ROUTE, BynderUnavailableError, true, 'try again later'],
    [408, GET_MEDIA_ROUTE, BynderUnavailableError, true, 'try again later'],
    [302, GET_MEDIA_ROUTE, BynderApiError, false, 'redirects are not followed'],
    [400, UPDATE_MEDIA_ROUTE, BynderApiError, false, 'Bad'],
  ] as const)('%i on %o → %o', (status, route, errorClass, retryable, fix) => {
    const error = classifyResponse({ status, route, message: 'Bad thing' });
    expect(error).toBeInstanceOf(errorClass);
    expect(error.constructor).toBe(errorClass);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(`${route.method} ${route.path}`);
    expect(error.message).toContain('Bad thing');
    expect(error.message).toContain(fix);
    expect((error as BynderApiError | BynderUnavailableError).status).toBe(status);
  });

  it('names the route template, never a filled-in path', () => {
    const error = classifyResponse({ status: 403, route: UPDATE_MEDIA_ROUTE, message: 'Access denied' });
    expect(error.message).toBe(
      "Bynder POST /api/v4/media/{id}/ failed with 403: Access denied; the token's user needs the MEDIAEDIT role (and scope asset:write)",
    );
    expect(error.name).toBe('BynderPermissionError');
  });
});

/** Bynder's message as read when no secret is in play. */
const readPlain = (body: unknown, status: number) => readBynderMessage(body, status, (text) => text);

describe("readBynderMessage: Bynder's words, or the status text", () => {
  it('reads the v4 envelope, with a numeric or string statuscode', () => {
    expect(readPlain({ message: 'Media not found', statuscode: 404 }, 404)).toBe('Media not found');
    expect(readPlain({ message: 'Access denied', statuscode: '403' }, 403)).toBe('Access denied');
  });

  it('reads OAuth error bodies', () => {
    expect(
      readPlain({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401),
    ).toBe('Client authentication failed');
    expect(readPlain({ error: 'invalid_client' }, 400)).toBe('invalid_client');
  });

  it('falls back to the status text for empty, HTML or odd bodies', () => {
    expect(readPlain('', 503)).toBe('Service unavailable');
    expect(readPlain('<html><body>502 Bad Gateway</body></html>', 502)).toBe('Bad gateway');
    expect(readPlain({ message: 42 }, 429)).toBe('Too many requests');
    expect(readPlain(undefined, 599)).toBe('HTTP 599');
  });

  it('keeps short plain text and cuts long messages', () => {
    expect(readPlain('  upstream\n timeout ', 504)).toBe('upstream timeout');
    const long = readPlain({ message: 'x'.repeat(5_000) }, 500);
    expect(long.length).toBeLessThanOrEqual(301);
    expect(long.endsWith('…')).toBe(true);
  });

  it('redacts before it cuts: a token straddling the cut leaves none of its characters', () => {
    const token = 'perm-T0KEN-9c4e1f7a2b8d6e3f-abcdef';
    const message = `${'x'.repeat(MAX_DETAIL_LENGTH - 18)}${token} and more`;
    const read = readBynderMessage({ message }, 500, (text) => redactSecrets(text, [token]));
    expect(read.length).toBeLessThanOrEqual(MAX_DETAIL_LENGTH + 1);
    expect(read).not.toContain(token.slice(0, 8));
    expect(read).toContain(REDACTED.slice(0, 8));
  });
});
