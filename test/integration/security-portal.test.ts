import http, { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../../dev/bynder-emulator/server';
import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { useEmulator } from '../helpers/use-emulator';

// Where the token goes. The settings refuse portals that are not https (loopback aside, for
// development), that carry credentials, or that are IP literals; and the app talks to the configured
// portal only: a decoy emulator, named in hostile ids and behind a redirect, must see no request.

const TOKEN = 'portal-T0KEN-3d5f7a9c1e2b';
const emulator = useEmulator({ seed: 'examples/portal.json', tokens: [{ token: TOKEN }], rateLimit: false });
let decoy: RunningEmulator;
let redirector: Server;
let redirectorUrl = '';

beforeAll(async () => {
  decoy = await startEmulator({ seed: 'examples/portal.json', tokens: [{ token: TOKEN }], rateLimit: false });
  // A "portal" that sends every request on to the decoy, token and all, if the client followed it.
  redirector = createServer((req, res) => {
    res.writeHead(302, { Location: `${decoy.url}${req.url ?? '/'}` }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await decoy.stop();
  await new Promise((resolve) => redirector.close(resolve));
});

beforeEach(() => {
  resetLocalStores();
  emulator.clearRequests();
  decoy.clearRequests();
});

const lifecycle = new Lifecycle();
async function submitConnection(action: string, portal: string) {
  const result = await lifecycle.onSettingsForm('connection', action, {
    portal,
    auth_method: 'permanent_token',
    token: TOKEN,
  });
  return JSON.parse(JSON.stringify(result)) as {
    errors?: Record<string, string[]>;
    toasts?: Array<{ intent: string; message: string }>;
  };
}

describe('the settings refuse portals the token must not go to', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['plain http', 'http://acme.bynder.com', /https/],
    ['another scheme', 'ftp://acme.bynder.com', /https/],
    ['credentials in the URL', 'https://user:pass@acme.bynder.com', /user name or password/],
    ['the token in the URL, even on loopback', `http://bynder:${TOKEN}@127.0.0.1:1`, /user name or password/],
    ['an IPv4 literal', 'https://10.0.0.1', /IP address/],
    ['an IPv4 literal with a port', 'https://192.168.0.10:8443', /IP address/],
    ['an IPv6 literal', 'https://[2001:db8::1]', /IP address/],
    ['a metadata-service address', '169.254.169.254', /IP address/],
    ['a path after the host', 'https://acme.bynder.com/api/v4', /without a path/],
  ];

  it.each(refused)(
    'refuses %s (%s) on save and on test, sends nothing and stores nothing',
    async (_what, portal, problem) => {
      for (const action of ['save', 'test_connection']) {
        const answer = await submitConnection(action, portal);
        expect(answer.errors?.portal?.join(' ')).toMatch(problem);
        expect(JSON.stringify(answer)).not.toContain(TOKEN);
      }
      expect(await storage.settings.get('connection')).toEqual({});
      expect(await storage.secrets.get('connection')).toEqual({});
      expect(emulator.requests()).toEqual([]);
      expect(decoy.requests()).toEqual([]);
    },
  );

  it('accepts the loopback development portal over http', async () => {
    const answer = await submitConnection('save', emulator.url);
    expect(answer.errors?.portal).toBeUndefined();
    expect(await storage.settings.get('connection')).toMatchObject({ portal: emulator.url });
  });
});

describe('requests go to the configured portal only', () => {
  it('reaches no other host through settings, schema, readiness or deliver(), even with ids naming one', async () => {
    await submitConnection('test_connection', emulator.url);
    await submitConnection('save', emulator.url);
    await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    await new BynderAssetSync().ready();
    const [first] = emulator.snapshot().assets;
    const decoyHost = new URL(decoy.url).host;
    const hostileIds = [
      decoy.url,
      `${decoy.url}/api/v4/media/${first?.id}/`,
      `//${decoyHost}/api/v4/media/x`,
      `@${decoyHost}`,
      `x@${decoyHost}`,
      `http:${decoyHost}`,
    ];
    const result = await new BynderAssetSync().deliver({
      items: [
        { asset_id: first?.id, description: 'only here' },
        ...hostileIds.map((id) => ({ asset_id: id, description: 'elsewhere?' })),
      ],
      attempt: 1,
      sync: { id: 'portal-only', name: 'Portal only' },
    });
    await emulator.settle();

    expect(result.failureReason).toMatch(
      new RegExp(`${hostileIds.length} of ${hostileIds.length + 1} records rejected`),
    );
    expect(emulator.snapshot().assets[0]?.description).toBe('only here');
    expect(emulator.requests().length).toBeGreaterThan(hostileIds.length);
    expect(decoy.requests()).toEqual([]);
  });

  it('does not follow a redirect away from the portal', async () => {
    const answer = await submitConnection('save', redirectorUrl);
    expect(answer.toasts?.some((toast) => toast.intent === 'danger')).toBe(true);
    expect(await storage.settings.get('connection')).toEqual({});

    await storage.settings.put('connection', { portal: redirectorUrl, auth_method: 'permanent_token' });
    await storage.secrets.put('connection', { token: TOKEN });
    const result = await new BynderAssetSync().deliver({
      items: [{ asset_id: 'A1B2C3D4-0000-4000-8000000000000000', description: 'x' }],
      attempt: 1,
      sync: { id: 'redirected', name: 'Redirected' },
    });
    expect(result.success).toBe(false);
    expect(decoy.requests()).toEqual([]);
  });

  // The guard wraps net.Socket#connect, but http.request (axios underneath) connects through
  // net.createConnection, which hands connect() ONE normalised-arguments array: the guard must read
  // the host from it too. A request to a non-loopback address must fail before any packet leaves.
  it('runs under the loopback-only guard: an HTTP request to a non-loopback host is refused', async () => {
    const outcome = await new Promise<string>((resolve) => {
      try {
        const request = http.get('http://10.255.255.1/', (response) =>
          resolve(`answered ${response.statusCode}`),
        );
        request.on('error', (error) => resolve(`refused: ${error.message}`));
        request.setTimeout(2_000, () => request.destroy(new Error('timed out connecting')));
      } catch (error) {
        resolve(`refused: ${(error as Error).message}`);
      }
    });
    expect(outcome).toMatch(/only loopback/);
  });
});
