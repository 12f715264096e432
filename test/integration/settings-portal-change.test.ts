import type { IncomingHttpHeaders } from 'node:http';

import { resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { useEmulator } from '../helpers/use-emulator';
import { useLoopbackServer } from '../helpers/loopback-server';

// A stored credential belongs to the portal it was saved with. The form's secret fields come back
// empty, and an empty one means "keep the stored value": a person (or a page acting for one) who
// changes only the portal must not get the stored credential sent to the new address.

const TOKEN = 'stored-permanent-token-2f7c9e4a1b';
const CLIENT_ID = '0d6f3a9c-5e2b-4c71-9a8e-3b1d7f0c2e64';
const CLIENT_SECRET = 'stored-client-secret-8e1b5d3f7a';

const emulator = useEmulator({
  seed: 'demo-portal',
  tokens: [{ token: TOKEN }],
  oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
});

/** The "other portal": answers like Bynder would (so a leak would pass as success) and records all it hears. */
const heard: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
const otherPortal = useLoopbackServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    heard.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      req.url?.startsWith('/v6/authentication/oauth2/token')
        ? JSON.stringify({
            access_token: 'captured-access-token-0000',
            token_type: 'bearer',
            expires_in: 3600,
          })
        : '{}',
    );
  });
});

const lifecycle = new Lifecycle();

beforeEach(() => {
  heard.length = 0;
});

afterEach(() => {
  resetLocalStores();
});

async function submit(action: string, data: Record<string, unknown>) {
  return (await lifecycle.onSettingsForm('connection', action, data as SubmittedFormData)).getResponse(
    'connection',
  );
}

const METHODS = [
  {
    name: 'permanent token',
    saved: { auth_method: 'permanent_token', token: TOKEN },
    fields: { token: 'permanent token' },
  },
  {
    name: 'OAuth client credentials',
    saved: { auth_method: 'oauth_client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    fields: { client_id: 'OAuth client id', client_secret: 'OAuth client secret' },
  },
] as const;

describe.each(METHODS)('a changed portal with empty secret fields: $name', ({ saved, fields }) => {
  beforeEach(async () => {
    const first = await submit('save', { portal: emulator.url, ...saved });
    if (first.toasts?.[0]?.intent !== 'success') {
      throw new Error(`the first save failed: ${JSON.stringify(first)}`);
    }
    emulator.clearRequests();
  });

  it.each(['test_connection', 'save'])('%s sends no request anywhere and says why', async (action) => {
    const storedSettings = await storage.settings.get('connection');
    const storedSecrets = await storage.secrets.get('connection');

    const response = await submit(action, { portal: otherPortal.url, auth_method: saved.auth_method });

    expect(heard).toEqual([]);
    expect(emulator.requests()).toEqual([]);
    const errors = Object.fromEntries(
      Object.entries(fields).map(([field, what]) => [
        `connection.${field}`,
        [
          `The portal changed from ${emulator.url} to ${otherPortal.url}: enter the ${what} again; a stored credential is never sent to another portal`,
        ],
      ]),
    );
    expect(response.errors).toEqual(errors);
    expect(response.toasts?.map((toast) => toast.intent)).toEqual(['danger']);
    // Nothing was saved either: the stored connection still names the portal its credential is for.
    expect(await storage.settings.get('connection')).toEqual(storedSettings);
    expect(await storage.secrets.get('connection')).toEqual(storedSecrets);
  });

  it('still uses the stored credentials for the portal they were saved with', async () => {
    const response = await submit('test_connection', {
      portal: emulator.url,
      auth_method: saved.auth_method,
    });

    expect(response.errors).toEqual({});
    expect(response.toasts?.[0]?.intent).toBe('success');
    expect(emulator.requests().length).toBeGreaterThan(0);
    expect(heard).toEqual([]);
  });

  it('sends credentials typed again to the new portal (the capture server hears them)', async () => {
    const { auth_method: authMethod, ...typed } = saved;
    await submit('test_connection', { portal: otherPortal.url, auth_method: authMethod, ...typed });

    // The control for the tests above: this server does hear a connection test sent to it.
    expect(heard.length).toBeGreaterThan(0);
    expect(emulator.requests()).toEqual([]);
  });
});
