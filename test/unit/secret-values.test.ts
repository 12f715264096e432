import { describe, expect, it } from 'vitest';

import {
  CREDENTIAL_FIELDS,
  rememberIssuedToken,
  secretsOf,
  secretsOfFields,
} from '../../src/lib/secret-values';

const TOKEN = 'values-token-8e2c5a1f9b';
const CLIENT_ID = '3f7a1c9e-2b5d-4e8a-9c1f-6d0b2e4a8c53';
const CLIENT_SECRET = 'values-client-secret-4d9b';
const oauth = { kind: 'oauth_client_credentials', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } as const;

describe('secretsOf', () => {
  it('names the permanent token', () => {
    expect(secretsOf({ kind: 'permanent_token', token: TOKEN })).toEqual([TOKEN]);
  });

  it('names the OAuth client id with the secret, and every access token issued for them', () => {
    const issued = 'issued-access-token-6a3e8c1d';
    expect(secretsOf(oauth)).toEqual([CLIENT_ID, CLIENT_SECRET]);
    rememberIssuedToken(oauth, issued);
    expect(secretsOf(oauth)).toEqual([CLIENT_ID, CLIENT_SECRET, issued]);
    // Another client's tokens are not this client's business.
    expect(secretsOf({ ...oauth, clientSecret: 'another-client-secret-7e1b' })).not.toContain(issued);
  });

  it('keeps the last four access tokens of a client', () => {
    const client = { ...oauth, clientId: 'rotating-client-5b2e9d7a' };
    const tokens = ['one', 'two', 'three', 'four', 'five'].map((n) => `access-token-${n}-1c4e7a`);
    for (const token of tokens) rememberIssuedToken(client, token);
    expect(secretsOf(client).slice(2)).toEqual(tokens.slice(1));
  });
});

describe('secretsOfFields', () => {
  it('takes every non-empty credential field, trimmed, and nothing else', () => {
    expect(
      secretsOfFields({
        portal: 'acme.bynder.com',
        auth_method: 'permanent_token',
        token: ` ${TOKEN} `,
        client_id: '',
        client_secret: 42,
      }),
    ).toEqual([TOKEN]);
  });

  it('answers as secretsOf does for the same OAuth client', () => {
    rememberIssuedToken(oauth, 'issued-access-token-9f2d4b7e');
    expect(secretsOfFields({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET })).toEqual(secretsOf(oauth));
  });

  it('covers the form’s credential fields', () => {
    expect(CREDENTIAL_FIELDS).toEqual(['token', 'client_id', 'client_secret']);
  });
});
