import { describe, expect, it } from 'vitest';

import {
  BynderApiError,
  BynderAuthError,
  BynderInvalidResponseError,
  BynderNotFoundError,
  BynderPermissionError,
  BynderRateLimitError,
  BynderUnavailableError,
} from '../../src/lib/bynder/errors';
import type { Credentials } from '../../src/lib/config';
import { describeConnectionFailure } from '../../src/lib/bynder/connection-failure';

const portalUrl = 'https://acme.bynder.com';
const token: Credentials = { kind: 'permanent_token', token: 'secret-token-3a7e9c15' };
const oauth: Credentials = {
  kind: 'oauth_client_credentials',
  clientId: 'cid-9f2b6d4e8a1c',
  clientSecret: 'secret-cs-5d1a7e3b',
};
const LIST = 'GET /api/v4/metaproperties/';
const TOKEN = 'POST /v6/authentication/oauth2/token';

const describeFor = (error: unknown, credentials: Credentials = token) =>
  describeConnectionFailure(error, { portalUrl, credentials });

describe('describeConnectionFailure', () => {
  it('401 with a permanent token: the token is wrong, marked on the token field', () => {
    const failure = describeFor(new BynderAuthError(401, LIST, 'Unauthorized'));
    expect(failure).toMatchObject({ problem: 'credentials', field: 'token' });
    expect(failure.message).toMatch(/^https:\/\/acme\.bynder\.com refused the permanent token \(401\)/);
    expect(failure.message).toContain('Permanent Tokens');
  });

  it('401 from the token endpoint: the OAuth client credentials are wrong', () => {
    const failure = describeFor(new BynderAuthError(401, TOKEN, 'invalid_client'), oauth);
    expect(failure).toMatchObject({ problem: 'credentials', field: 'client_secret' });
    expect(failure.message).toContain('refused the OAuth client credentials (401)');
    expect(failure.message).toContain('Client Credentials grant');
  });

  it('403: the credentials work but the user lacks rights, and which rights', () => {
    const failure = describeFor(new BynderPermissionError(403, LIST, 'Access denied'));
    expect(failure).toMatchObject({ problem: 'permissions', field: undefined });
    expect(failure.message).toContain(
      'accepted the token but denied access (403) to GET /api/v4/metaproperties/',
    );
    expect(failure.message).toContain("the permanent token's user");
    expect(failure.message).toContain('meta.assetbank:read');
    expect(describeFor(new BynderPermissionError(403, LIST, 'x'), oauth).message).toContain(
      "the OAuth app's assigned user",
    );
  });

  it('refused, reset or timed out: the portal cannot be reached, in one message for all three', () => {
    const said = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].map((code) => {
      const cause = Object.assign(new Error(`${code}: connect ${code}`), { code });
      return describeFor(new BynderUnavailableError(LIST, `failed (${code})`, undefined, { cause }));
    });
    expect(said[0]).toEqual({
      problem: 'portal',
      field: 'portal',
      message:
        'https://acme.bynder.com could not be reached (no answer). Check "Portal" and that the portal is online, then test again.',
    });
    expect(said[1]).toEqual(said[0]);
    expect(said[2]).toEqual(said[0]);
  });

  it('a host that resolves to a private address: enter the Bynder portal', () => {
    const cause = Object.assign(new Error('ERR_BYNDER_PRIVATE_ADDRESS: localtest.me resolves to …'), {
      code: 'ERR_BYNDER_PRIVATE_ADDRESS',
    });
    const failure = describeFor(new BynderUnavailableError(LIST, 'private', undefined, { cause }));
    expect(failure).toMatchObject({ problem: 'portal', field: 'portal' });
    expect(failure.message).toMatch(/resolves to a private address.*Enter your Bynder portal/);
  });

  it('an unknown host: DNS, check the spelling', () => {
    const cause = new Error('ENOTFOUND: getaddrinfo ENOTFOUND acme.bynder.com');
    const failure = describeFor(new BynderUnavailableError(LIST, 'does not resolve', undefined, { cause }));
    expect(failure).toMatchObject({ problem: 'portal', field: 'portal' });
    expect(failure.message).toBe(
      `The portal's host name acme.bynder.com was not found (DNS). Check the spelling of "Portal", for example acme.bynder.com.`,
    );
  });

  it('5xx: Bynder is in trouble, the settings are not blamed', () => {
    const failure = describeFor(new BynderUnavailableError(LIST, '503 Service unavailable', 503));
    expect(failure).toMatchObject({ problem: 'bynder_trouble', field: undefined });
    expect(failure.message).toContain('answered 503');
  });

  it('429: wait for Bynder to lift the block', () => {
    const failure = describeFor(new BynderRateLimitError(429, LIST, 'Too many requests'));
    expect(failure).toMatchObject({ problem: 'rate_limited', field: undefined });
    expect(failure.message).toContain('wait about 5 minutes');
  });

  it.each([
    [new BynderNotFoundError(404, LIST, 'Not found'), 'it has no Bynder API (404)'],
    [new BynderNotFoundError(404, TOKEN, 'Not found'), 'it has no OAuth token endpoint (404)'],
    [new BynderInvalidResponseError(LIST, 'not JSON'), 'its answer is not Bynder API data'],
    [new BynderApiError(301, LIST, 'Moved'), 'it redirects (301)'],
  ])('a host that is not a Bynder portal: %s', (error, why) => {
    const failure = describeFor(error);
    expect(failure).toMatchObject({ problem: 'portal', field: 'portal' });
    expect(failure.message).toBe(
      `https://acme.bynder.com is not a Bynder portal: ${why}. Enter the address of your Bynder portal, for example acme.bynder.com or your portal's custom domain.`,
    );
  });

  it('anything else: unexpected, with the error name only', () => {
    const failure = describeFor(new TypeError('secret-token leaked?'));
    expect(failure.problem).toBe('unexpected');
    expect(failure.message).toContain('(TypeError)');
    expect(failure.message).not.toContain('secret-token-3a7e9c15');
  });
});
