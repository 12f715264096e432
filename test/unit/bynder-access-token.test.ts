import { describe, expect, it } from 'vitest';

import { createAccessTokenSource, type IssuedToken } from '../../src/lib/bynder/access-token';
import { fakeClock } from '../helpers/fake-clock';

/** A token endpoint stand-in that issues t1, t2, ... and counts its calls. */
function tokenEndpoint(expiresInSeconds: number) {
  let issued = 0;
  return {
    get calls() {
      return issued;
    },
    request: async (): Promise<IssuedToken> => {
      issued += 1;
      await Promise.resolve();
      return { accessToken: `t${issued}`, expiresInSeconds };
    },
  };
}

const oauth = {
  kind: 'oauth_client_credentials',
  clientId: 'client-id-2e7a9c4f',
  clientSecret: 'client-secret-8b3d1f6a',
} as const;
const PORTAL = 'https://acme.bynder.com';

describe('access tokens', () => {
  it('sends a permanent token as it is and never asks for another', async () => {
    const endpoint = tokenEndpoint(3600);
    const source = createAccessTokenSource(
      { kind: 'permanent_token', token: 'permanent-token-5c9e2a7d' },
      endpoint.request,
      fakeClock(),
      PORTAL,
    );
    expect(await source.get()).toBe('permanent-token-5c9e2a7d');
    source.invalidate('permanent-token-5c9e2a7d');
    expect(await source.get()).toBe('permanent-token-5c9e2a7d');
    expect(source.renewable).toBe(false);
    expect(endpoint.calls).toBe(0);
  });

  it('reuses an OAuth token until 60 s before it expires, then fetches a new one', async () => {
    const clock = fakeClock();
    const endpoint = tokenEndpoint(3600);
    const source = createAccessTokenSource(oauth, endpoint.request, clock, PORTAL);
    expect(await source.get()).toBe('t1');
    clock.advance(3600_000 - 60_000 - 1);
    expect(await source.get()).toBe('t1');
    clock.advance(1);
    expect(await source.get()).toBe('t2');
    expect(endpoint.calls).toBe(2);
  });

  it('keeps a short-lived token for half its lifetime rather than not at all', async () => {
    const clock = fakeClock();
    const endpoint = tokenEndpoint(10);
    const source = createAccessTokenSource(oauth, endpoint.request, clock, PORTAL);
    await source.get();
    clock.advance(4_999);
    expect(await source.get()).toBe('t1');
    clock.advance(1);
    expect(await source.get()).toBe('t2');
  });

  it('shares one token request among concurrent callers', async () => {
    const endpoint = tokenEndpoint(3600);
    const source = createAccessTokenSource(oauth, endpoint.request, fakeClock(), PORTAL);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => source.get()));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(endpoint.calls).toBe(1);
  });

  it('fetches a new token after the one in use is refused, but not for a stale refusal', async () => {
    const endpoint = tokenEndpoint(3600);
    const source = createAccessTokenSource(oauth, endpoint.request, fakeClock(), PORTAL);
    expect(await source.get()).toBe('t1');
    source.invalidate('t1');
    expect(await source.get()).toBe('t2');
    // A request that used t1 fails late: t2 is kept.
    source.invalidate('t1');
    expect(await source.get()).toBe('t2');
    expect(endpoint.calls).toBe(2);
  });

  it('asks again after a failed token request instead of caching the failure', async () => {
    let fail = true;
    const source = createAccessTokenSource(
      oauth,
      async () => {
        await Promise.resolve();
        if (fail) throw new Error('token endpoint down');
        return { accessToken: 'ok', expiresInSeconds: 3600 };
      },
      fakeClock(),
      PORTAL,
    );
    await expect(source.get()).rejects.toThrow('token endpoint down');
    fail = false;
    expect(await source.get()).toBe('ok');
  });

  it('shares a token between clients of one portal and OAuth client (deliver() builds one per batch)', async () => {
    const clock = fakeClock();
    const endpoint = tokenEndpoint(3600);
    const batch1 = createAccessTokenSource(oauth, endpoint.request, clock, PORTAL);
    const batch2 = createAccessTokenSource(oauth, endpoint.request, clock, PORTAL);
    expect(await batch1.get()).toBe('t1');
    expect(await batch2.get()).toBe('t1');
    expect(endpoint.calls).toBe(1);
    // A refusal seen by one client makes the next client fetch a new token as well.
    batch2.invalidate('t1');
    expect(await batch1.get()).toBe('t2');
  });

  it('never shares a token across portals, OAuth clients or secrets', async () => {
    const clock = fakeClock();
    const endpoint = tokenEndpoint(3600);
    const sources = [
      createAccessTokenSource(oauth, endpoint.request, clock, PORTAL),
      createAccessTokenSource(oauth, endpoint.request, clock, 'https://other.bynder.com'),
      createAccessTokenSource(
        { ...oauth, clientId: 'client-id-2e7a9c4f-2' },
        endpoint.request,
        clock,
        PORTAL,
      ),
      createAccessTokenSource(
        { ...oauth, clientSecret: 'client-secret-rotated-4f1e' },
        endpoint.request,
        clock,
        PORTAL,
      ),
    ];
    const tokens = [];
    for (const source of sources) tokens.push(await source.get());
    expect(new Set(tokens).size).toBe(4);
  });
});
