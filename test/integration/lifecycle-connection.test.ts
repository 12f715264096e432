import { createServer } from 'node:net';

import { logger, resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { useEmulator } from '../helpers/use-emulator';
import { KV_ROWS } from '../../src/lib/state/kv-rows';

const GOOD = 'good-token-4f9a2c71';
const NO_META = 'no-meta-token-77c1';
const CLIENT_SECRET = 'client-secret-2b8e';
const SECRETS = [GOOD, NO_META, CLIENT_SECRET, 'wrong-token-0000', 'wrong-secret-1111'];

const emulator = useEmulator({
  seed: 'demo-portal',
  tokens: [{ token: GOOD }, { token: NO_META, scopes: ['asset:read', 'asset:write'] }],
  oauthClients: [{ clientId: 'client-1-8d3f6a2e9b', clientSecret: CLIENT_SECRET }],
});

const lifecycle = new Lifecycle();
let logLines: string[] = [];

beforeEach(() => {
  logLines = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '));
    });
  }
  emulator.clearRequests();
});

afterEach(() => {
  vi.restoreAllMocks();
  resetLocalStores();
});

async function submit(action: string, data: Record<string, unknown>) {
  return (await lifecycle.onSettingsForm('connection', action, data as SubmittedFormData)).getResponse(
    'connection',
  );
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function expectNoSecretLogged(): void {
  expect(logLines.length).toBeGreaterThan(0);
  for (const line of logLines) for (const secret of SECRETS) expect(line).not.toContain(secret);
}

describe('connection settings against the emulator', () => {
  it('saves portal and method to settings and the token only to secrets, after one request', async () => {
    const response = await submit('save', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: GOOD,
    });

    expect(response.toasts).toEqual([
      { intent: 'success', message: `Connected to ${emulator.url} with the permanent token and saved.` },
    ]);
    expect(response.errors).toEqual({});
    expect(response).toMatchObject({ redirect: 'records', redirectMode: 'settings' });
    expect(await storage.settings.get('connection')).toEqual({
      portal: emulator.url,
      auth_method: 'permanent_token',
    });
    expect(await storage.secrets.get('connection')).toEqual({ token: GOOD });
    expect(emulator.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      'GET /api/v4/metaproperties/ 200',
    ]);
    expectNoSecretLogged();
  });

  it('bad token: 401, a danger toast about the token, nothing stored', async () => {
    const response = await submit('save', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: 'wrong-token-0000',
    });

    expect(response.toasts).toHaveLength(1);
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain('refused the permanent token (401)');
    expect(response.toasts?.[0]?.message).toContain('Nothing was saved.');
    expect(Object.keys(response.errors ?? {})).toEqual(['connection.token']);
    expect(await storage.settings.get('connection')).toEqual({});
    expect(await storage.secrets.get('connection')).toEqual({});
    expect(emulator.requests()).toHaveLength(1);
    expectNoSecretLogged();
  });

  it('token lacking a permission: 403, a danger toast about the rights', async () => {
    const response = await submit('save', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: NO_META,
    });

    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain('accepted the token but denied access (403)');
    expect(response.toasts?.[0]?.message).toContain('meta.assetbank:read');
    expect(emulator.requests().map((r) => r.status)).toEqual([403]);
    expect(await storage.secrets.get('connection')).toEqual({});
    expectNoSecretLogged();
  });

  it('unreachable portal: a danger toast about the portal, marked on the portal field', async () => {
    const portal = `http://127.0.0.1:${await closedPort()}`;
    const response = await submit('test_connection', { portal, auth_method: 'permanent_token', token: GOOD });

    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain(`${portal} could not be reached (no answer).`);
    expect(response.errors?.['connection.portal']).toHaveLength(1);
    expectNoSecretLogged();
  });

  it('OAuth client credentials: one token request plus one test request, secrets stored apart', async () => {
    const response = await submit('save', {
      portal: emulator.url,
      auth_method: 'oauth_client_credentials',
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: CLIENT_SECRET,
    });

    expect(response.toasts?.[0]).toEqual({
      intent: 'success',
      message: `Connected to ${emulator.url} with the OAuth client credentials and saved.`,
    });
    expect(emulator.requests().map((r) => r.route)).toEqual([
      'POST /v6/authentication/oauth2/token',
      'GET /api/v4/metaproperties/',
    ]);
    expect(await storage.settings.get('connection')).toEqual({
      portal: emulator.url,
      auth_method: 'oauth_client_credentials',
    });
    expect(await storage.secrets.get('connection')).toEqual({
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: CLIENT_SECRET,
    });
    expectNoSecretLogged();
  });

  it('wrong OAuth client secret: a danger toast about the client credentials', async () => {
    const response = await submit('test_connection', {
      portal: emulator.url,
      auth_method: 'oauth_client_credentials',
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: 'wrong-secret-1111',
    });
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain('refused the OAuth client credentials (401)');
    expect(Object.keys(response.errors ?? {})).toEqual(['connection.client_secret']);
    expectNoSecretLogged();
  });

  it('the test button saves nothing, and says so', async () => {
    const response = await submit('test_connection', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: GOOD,
    });
    expect(response.toasts).toEqual([
      {
        intent: 'success',
        message: `Connected to ${emulator.url} with the permanent token. Nothing is saved yet: press Save to keep these settings.`,
      },
    ]);
    expect(await storage.settings.get('connection')).toEqual({});
    expect(await storage.secrets.get('connection')).toEqual({});
  });

  it('a re-save with the token field empty keeps and tests the stored token', async () => {
    await submit('save', { portal: emulator.url, auth_method: 'permanent_token', token: GOOD });
    const response = await submit('save', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: '',
    });
    expect(response.toasts?.[0]?.message).toContain('Kept the stored Permanent token.');
    expect(await storage.secrets.get('connection')).toEqual({ token: GOOD });
    expect(emulator.requests().map((r) => r.status)).toEqual([200, 200]);
  });

  it('field errors and no request for an invalid form', async () => {
    const response = await submit('save', {
      portal: 'http://acme.bynder.com',
      auth_method: 'permanent_token',
      token: '',
    });
    expect(response.errors).toEqual({
      'connection.portal': ['Portal uses http; Bynder portals are reached over https only'],
      'connection.token': [
        'Permanent token is empty; paste the token created in Bynder under Settings > Advanced Settings > Portal Settings > Permanent Tokens',
      ],
    });
    expect(response.toasts).toEqual([
      { intent: 'danger', message: 'Nothing was saved: fix the marked fields and save again.' },
    ]);
    expect(emulator.requests()).toEqual([]);
  });

  it('drops the cached metaproperties when the connection changes, not when it is saved unchanged', async () => {
    await submit('save', { portal: emulator.url, auth_method: 'permanent_token', token: GOOD });
    const cached = { portalUrl: emulator.url, fetchedAt: Date.now(), json: '[]' };
    await storage.kvStore.put(KV_ROWS.metaproperties.key, cached);

    await submit('save', { portal: emulator.url, auth_method: 'permanent_token', token: '' });
    expect(await storage.kvStore.get(KV_ROWS.metaproperties.key)).toEqual(cached);

    await submit('save', {
      portal: emulator.url,
      auth_method: 'oauth_client_credentials',
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: CLIENT_SECRET,
    });
    expect(await storage.kvStore.get(KV_ROWS.metaproperties.key)).toEqual({});
    // Switching method stores only the new method's credentials.
    expect(await storage.secrets.get('connection')).toEqual({
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: CLIENT_SECRET,
    });
  });
});
