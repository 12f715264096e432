import { describe, expect, it } from 'vitest';

import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Facts section 1: Bearer tokens, OAuth 2.0 client credentials, 401 vs 403.
const clock = {
  ms: Date.UTC(2025, 0, 1),
  now(): number {
    return this.ms;
  },
};
const ASSET = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';

const emulator = useEmulator({
  seed: { metaproperties: {}, assets: [{ id: ASSET, name: 'Alpha' }] },
  rateLimit: false,
  clock,
  tokens: [
    { token: 'all-rights-token-3f8a1c' },
    { token: 'read-only-token-9e2b4d', scopes: ['asset:read', 'meta.assetbank:read'], roles: [] },
    { token: 'no-remove-token-6a1f7c', roles: ['MEDIAEDIT'] },
    { token: 'no-scope-token-2d5e8b', scopes: ['asset:read'] },
  ],
  oauthClients: [
    { clientId: 'app-client-7c3e9a1f', clientSecret: 'app-client-s3cret-4b8d', tokenTtlSeconds: 60 },
    { clientId: 'reader-client-1e6b3f9d', clientSecret: 'reader-client-r3ad-5c2a', scopes: ['asset:read'] },
  ],
});

async function requestToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  return callEmulator(emulator, 'POST', '/v6/authentication/oauth2/token', { form, token: null, headers });
}

describe('emulator auth: Bearer tokens', () => {
  it('answers 401 {"message":"Unauthorized","statuscode":401} without a token and with an unknown one', async () => {
    for (const token of [null, 'nope']) {
      const response = await callEmulator(emulator, 'GET', '/api/v4/media/', { token });
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ message: 'Unauthorized', statuscode: 401 });
    }
  });

  it('exposes the first permanent token as emulator.token', () => {
    expect(emulator.token).toBe('all-rights-token-3f8a1c');
  });

  it('answers 403 "Access denied" (string statuscode on media routes) when the token lacks the scope or its user lacks the role', async () => {
    const denied = { message: 'Access denied', statuscode: '403' };
    const write = await callEmulator(emulator, 'POST', `/api/v4/media/${ASSET}/`, {
      token: 'read-only-token-9e2b4d',
      form: { name: 'x' },
    });
    expect([write.status, write.json]).toEqual([403, denied]);
    const remove = await callEmulator(emulator, 'DELETE', `/api/v4/media/${ASSET}/`, {
      token: 'no-remove-token-6a1f7c',
    });
    expect([remove.status, remove.json]).toEqual([403, denied]);
    // Every spelling of isPublic needs MARKPUBLIC, including `True` (Bynder's C# and Python SDKs).
    for (const isPublic of ['1', 'true', 'True', 'TRUE', 'False', 'yes', '']) {
      const markPublic = await callEmulator(emulator, 'POST', `/api/v4/media/${ASSET}/`, {
        token: 'no-remove-token-6a1f7c',
        form: { isPublic },
      });
      expect([isPublic, markPublic.status, markPublic.json]).toEqual([isPublic, 403, denied]);
    }
    const metaproperties = await callEmulator(emulator, 'GET', '/api/v4/metaproperties/', {
      token: 'no-scope-token-2d5e8b',
    });
    expect([metaproperties.status, metaproperties.json]).toEqual([
      403,
      { message: 'Access denied', statuscode: 403 },
    ]);
    const read = await callEmulator(emulator, 'GET', `/api/v4/media/${ASSET}/`, {
      token: 'read-only-token-9e2b4d',
    });
    expect(read.status).toBe(200);
    const edit = await callEmulator(emulator, 'POST', `/api/v4/media/${ASSET}/`, {
      token: 'no-remove-token-6a1f7c',
      form: { name: 'x' },
    });
    expect(edit.status).toBe(202);
  });
});

describe('emulator auth: OAuth 2.0 client credentials', () => {
  it('issues a bearer token from form credentials and from a Basic header', async () => {
    const fromForm = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'app-client-7c3e9a1f',
      client_secret: 'app-client-s3cret-4b8d',
    });
    expect(fromForm.status).toBe(200);
    expect(fromForm.json).toMatchObject({
      token_type: 'bearer',
      expires_in: 60,
      access_token: expect.stringMatching(/^ey/),
    });
    const basic = Buffer.from('app-client-7c3e9a1f:app-client-s3cret-4b8d').toString('base64');
    const fromHeader = await requestToken(
      { grant_type: 'client_credentials' },
      { Authorization: `Basic ${basic}` },
    );
    expect(fromHeader.status).toBe(200);
  });

  it('answers 401 invalid_client for a wrong secret or unknown client, 400 for another grant type', async () => {
    const wrong = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'app-client-7c3e9a1f',
      client_secret: 'wrong-client-secret-9d4f',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ error: 'invalid_client' });
    expect(wrong.text).not.toContain('app-client-s3cret-4b8d');
    const unknown = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'unknown-client-8f3a2e',
      client_secret: 'unknown-secret-6d1b9c',
    });
    expect(unknown.status).toBe(401);
    const grant = await requestToken({
      grant_type: 'password',
      client_id: 'app-client-7c3e9a1f',
      client_secret: 'app-client-s3cret-4b8d',
    });
    expect(grant.status).toBe(400);
  });

  it('grants only the intersection of requested and allowed scopes (403 on the rest)', async () => {
    const response = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'reader-client-1e6b3f9d',
      client_secret: 'reader-client-r3ad-5c2a',
      scope: 'asset:read asset:write',
    });
    expect(response.json).toMatchObject({ scope: 'asset:read' });
    const token = (response.json as { access_token: string }).access_token;
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/', { token })).status).toBe(200);
    expect((await callEmulator(emulator, 'GET', '/api/v4/metaproperties/', { token })).status).toBe(403);
  });

  it('accepts an issued token until it expires, then answers 401', async () => {
    const response = await requestToken({
      grant_type: 'client_credentials',
      client_id: 'app-client-7c3e9a1f',
      client_secret: 'app-client-s3cret-4b8d',
    });
    const token = (response.json as { access_token: string }).access_token;
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/', { token })).status).toBe(200);
    clock.ms += 59_000;
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/', { token })).status).toBe(200);
    clock.ms += 1_000;
    const expired = await callEmulator(emulator, 'GET', '/api/v4/media/', { token });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ message: 'Unauthorized', statuscode: 401 });
    // Permanent tokens never expire.
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/')).status).toBe(200);
  });

  it('never logs the Authorization header or the query string', async () => {
    await callEmulator(emulator, 'GET', '/api/v4/media/?token=all-rights');
    const logged = JSON.stringify(emulator.requests());
    expect(logged).not.toContain('all-rights-token-3f8a1c');
    expect(logged).not.toContain('app-client-s3cret-4b8d');
  });
});
