import { beforeEach, describe, expect, it } from 'vitest';

import type { Credentials } from '../../src/lib/config';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { BynderAuthError, BynderPermissionError } from '../../src/lib/bynder/errors';
import type { Clock } from '../../src/lib/runtime-ports';
import { captureFailure } from '../helpers/capture-failure';
import { fakeClock } from '../helpers/fake-clock';
import { seededAssetIds } from '../helpers/seeded-asset-ids';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';

// Authentication against the emulator: permanent tokens (401, 403 per missing role or scope) and
// OAuth client credentials (issue, cache, renewal before expiry and after a 401). Two fake clocks:
// the portal's (token expiry in the emulator) and the app's (the client's cache), moved by hand.

const TOKEN = 'auth-permanent-token-3f9a2c';
const NO_ROLES_TOKEN = 'auth-no-roles-token-77b1e0';
const NO_SCOPES_TOKEN = 'auth-no-scopes-token-1d5c9a';
const WRONG_TOKEN = 'auth-wrong-token-a0b1c2';
const CLIENT_ID = 'contract-client-6b1e';
const CLIENT_SECRET = 'contract-client-secret-9e8d7c';
const TTL_SECONDS = 3600;
const portalClock = fakeClock();

const emulator = useEmulator({
  seed: 'examples/portal.json',
  clock: portalClock,
  tokens: [{ token: TOKEN }, { token: NO_ROLES_TOKEN, roles: [] }, { token: NO_SCOPES_TOKEN, scopes: [] }],
  oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenTtlSeconds: TTL_SECONDS }],
});
const oauth: Credentials = {
  kind: 'oauth_client_credentials',
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
};

const said: string[] = [];
let beforeRequestCalls = 0;
function client(credentials: Credentials, clock: Clock = fakeClock()): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials,
    clock,
    logger: recordingLogger(said),
    beforeRequest: () => {
      beforeRequestCalls += 1;
      return Promise.resolve();
    },
  });
}
const failureOf = (promise: Promise<unknown>): Promise<Error> => captureFailure(promise, said);
const log = () => emulator.requests().map((r) => `${r.route} ${r.status}`);
const assetAt = seededAssetIds(emulator);
const anAsset = () => assetAt(0);

beforeEach(() => {
  emulator.clearRequests();
  emulator.faults.clear();
  beforeRequestCalls = 0;
});

describe('permanent token', () => {
  it('a wrong token is a BynderAuthError after one request, telling where to fix it', async () => {
    const error = await failureOf(client({ kind: 'permanent_token', token: WRONG_TOKEN }).testConnection());
    expect(error).toBeInstanceOf(BynderAuthError);
    expect(error.message).toBe(
      'Bynder GET /api/v4/metaproperties/ failed with 401: Unauthorized; check the permanent token / client credentials in the app settings',
    );
    expect(log()).toEqual(['GET /api/v4/metaproperties/ 401']);
  });

  it("names the role the token's user lacks: MEDIAEDIT to modify, MEDIAREMOVE to delete", async () => {
    const restricted = client({ kind: 'permanent_token', token: NO_ROLES_TOKEN });
    const update = await failureOf(restricted.updateMedia(anAsset(), { description: 'x' }));
    expect(update).toBeInstanceOf(BynderPermissionError);
    expect(update.message).toContain(
      "POST /api/v4/media/{id}/ failed with 403: Access denied; the token's user needs the MEDIAEDIT role",
    );
    const remove = await failureOf(restricted.deleteMedia(anAsset()));
    expect(remove).toBeInstanceOf(BynderPermissionError);
    expect(remove.message).toContain(
      "DELETE /api/v4/media/{id}/ failed with 403: Access denied; the token's user needs the MEDIAREMOVE role",
    );
    expect(log()).toEqual(['POST /api/v4/media/:id/ 403', 'DELETE /api/v4/media/:id/ 403']);
    expect(emulator.snapshot().assets.some((a) => a.id === anAsset())).toBe(true);
  });

  it('names read access when reads are refused', async () => {
    const error = await failureOf(
      client({ kind: 'permanent_token', token: NO_SCOPES_TOKEN }).getMedia(anAsset()),
    );
    expect(error).toBeInstanceOf(BynderPermissionError);
    expect(error.message).toContain('needs read access to assets');
  });
});

describe('OAuth client credentials', () => {
  it('fetches a token first, then sends the request with it', async () => {
    await client(oauth).testConnection();
    expect(log()).toEqual(['POST /v6/authentication/oauth2/token 200', 'GET /api/v4/metaproperties/ 200']);
    expect(beforeRequestCalls).toBe(2);
  });

  it('asks for one token for many calls, concurrent ones included', async () => {
    const shared = client(oauth);
    await Promise.all(Array.from({ length: 8 }, () => shared.getMedia(anAsset())));
    await shared.findMediaByProperty('region', 'emea');
    await shared.testConnection();
    expect(emulator.requests({ route: 'POST /v6/authentication/oauth2/token' })).toHaveLength(1);
    expect(emulator.requests()).toHaveLength(11);
    expect(beforeRequestCalls).toBe(11);
  });

  it('shares the token with the next client for the same portal (deliver() builds one per batch)', async () => {
    const appClock = fakeClock();
    await client(oauth, appClock).testConnection();
    await client(oauth, appClock).testConnection();
    expect(log()).toEqual([
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/metaproperties/ 200',
      'GET /api/v4/metaproperties/ 200',
    ]);
  });

  it('renews the token shortly before it expires, without a 401', async () => {
    const appClock = fakeClock();
    const shared = client(oauth, appClock);
    await shared.getMedia(anAsset());
    appClock.advance((TTL_SECONDS - 61) * 1000);
    portalClock.advance((TTL_SECONDS - 61) * 1000);
    await shared.getMedia(anAsset());
    appClock.advance(2_000);
    portalClock.advance(2_000);
    await shared.getMedia(anAsset());
    expect(log()).toEqual([
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/media/:id/ 200',
      'GET /api/v4/media/:id/ 200',
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/media/:id/ 200',
    ]);
  });

  it('renews the token once on a 401 and replays the request', async () => {
    const shared = client(oauth);
    await shared.getMedia(anAsset());
    // The portal expires the token while the app still trusts it (clock skew, revocation).
    portalClock.advance((TTL_SECONDS + 1) * 1000);
    const asset = await shared.getMedia(anAsset());
    expect(asset.id).toBe(anAsset());
    expect(log()).toEqual([
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/media/:id/ 200',
      'GET /api/v4/media/:id/ 401',
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/media/:id/ 200',
    ]);
    expect(beforeRequestCalls).toBe(5);
  });

  it('gives up with a BynderAuthError when the fresh token is refused too', async () => {
    const shared = client(oauth);
    await shared.testConnection();
    emulator.clearRequests();
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', status: 401, times: 2 });
    const error = await failureOf(shared.getMedia(anAsset()));
    expect(error).toBeInstanceOf(BynderAuthError);
    expect(log()).toEqual([
      'GET /api/v4/media/:id/ 401',
      'POST /v6/authentication/oauth2/token 200',
      'GET /api/v4/media/:id/ 401',
    ]);
  });

  it('a wrong client secret is a BynderAuthError from the token endpoint, not retried', async () => {
    const wrong: Credentials = { ...oauth, clientSecret: 'not-the-secret-55aa' };
    const error = await failureOf(client(wrong).updateMedia(anAsset(), { description: 'x' }));
    expect(error).toBeInstanceOf(BynderAuthError);
    expect(error.message).toBe(
      'Bynder POST /v6/authentication/oauth2/token failed with 401: Client authentication failed; check the OAuth client id and client secret in the app settings',
    );
    expect(log()).toEqual(['POST /v6/authentication/oauth2/token 401']);
  });
});

describe('redaction', () => {
  // Redaction across this file: no token, client secret or issued (JWT-shaped) access token.
  // Runs last in this file, over everything the tests above made the client say.
  it('never shows a secret in a log line, an error message, its JSON or its inspection', () => {
    expect(said.length).toBeGreaterThan(0);
    for (const text of said) {
      for (const secret of [
        TOKEN,
        NO_ROLES_TOKEN,
        NO_SCOPES_TOKEN,
        WRONG_TOKEN,
        CLIENT_SECRET,
        'not-the-secret-55aa',
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    }
  });
});
