import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import net, { type AddressInfo } from 'node:net';

import { resetLocalStores } from '@zaiusinc/app-sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import type { Logger } from '../../src/lib/runtime-ports';
import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { portalOf } from '../helpers/portal-origin';

// A host name can resolve to this machine or a private network whatever it looks like (localtest.me,
// *.nip.io, foo.localhost, an attacker's DNS). The resolver is stubbed (no real DNS: unknown names
// fail), and a loopback server counts the connections it receives: refused hosts must get none,
// and the connection test must not tell an open port from a closed one.

const RESOLVES: Record<string, string> = {
  'localtest.me': '127.0.0.1',
  'app.127.0.0.1.nip.io': '127.0.0.1',
  'foo.localhost': '::ffff:127.0.0.1',
  'portal.attacker.example': '127.0.0.1',
  'metadata.attacker.example': '169.254.169.254',
  'intranet.attacker.example': '10.0.0.7',
};

function stubbedLookup(hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) {
  const address = RESOLVES[hostname];
  if (address === undefined) {
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return;
  }
  const entry: LookupAddress = { address, family: address.includes(':') ? 6 : 4 };
  if (options.all === true) callback(null, [entry]);
  else callback(null, entry.address, entry.family);
}

let server: net.Server;
let openPort = 0;
let closedPort = 0;
let connections = 0;
const ignore = () => undefined;
const silent: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

beforeAll(async () => {
  server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openPort = (server.address() as AddressInfo).port;
  const spare = net.createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  connections = 0;
  resetLocalStores();
  // Both ways a resolver reaches the client: Node's default (dns.lookup) and the injected option.
  vi.spyOn(dns, 'lookup').mockImplementation(stubbedLookup as unknown as typeof dns.lookup);
  vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '0');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function clientFor(host: string, port: number, injected: boolean): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(`https://${host}:${port}`),
    credentials: { kind: 'permanent_token', token: 'ssrf-T0KEN-1a2b3c4d5e6f' },
    logger: silent,
    retries: 0,
    timeoutMs: 2_000,
    ...(injected ? { lookup: stubbedLookup as unknown as net.LookupFunction } : {}),
  });
}

describe('the portal host is checked where it resolves, before any connection', () => {
  it.each(Object.keys(RESOLVES))('refuses %s and never connects', async (host) => {
    for (const injected of [false, true]) {
      const error = await clientFor(host, openPort, injected)
        .testConnection()
        .then(
          () => undefined,
          (caught: unknown) => caught as Error,
        );
      expect(error?.message).toMatch(/resolves to a private address/);
      expect(error?.message).toMatch(/enter your Bynder portal/);
    }
    expect(vi.mocked(dns.lookup)).toHaveBeenCalled();
    expect(connections).toBe(0);
  });

  it('connects to loopback names only while the development switch is on (the counter works)', async () => {
    vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '1');
    await clientFor('localtest.me', openPort, false)
      .testConnection()
      .catch(() => undefined);
    expect(connections).toBeGreaterThan(0);
    const metadata = await clientFor('metadata.attacker.example', openPort, false)
      .testConnection()
      .then(
        () => 'connected',
        (error: unknown) => (error as Error).message,
      );
    expect(metadata).toMatch(/resolves to a private address/);
  });
});

describe('"Test connection" on a host that resolves to this machine', () => {
  const lifecycle = new Lifecycle();
  async function testConnection(port: number): Promise<string> {
    const answer = JSON.parse(
      JSON.stringify(
        await lifecycle.onSettingsForm('connection', 'test_connection', {
          portal: `https://localtest.me:${port}`,
          auth_method: 'permanent_token',
          token: 'ssrf-T0KEN-1a2b3c4d5e6f',
        }),
      ),
    ) as { toasts?: Array<{ message: string }>; errors?: Record<string, string[]> };
    const said = [...(answer.toasts ?? []), ...Object.values(answer.errors ?? {}).flat()];
    return JSON.stringify(said).replaceAll(String(port), 'PORT');
  }

  it('says the same for an open port and a closed one, and connects to neither', async () => {
    const open = await testConnection(openPort);
    const closed = await testConnection(closedPort);
    expect(closed).toBe(open);
    expect(open).toMatch(/private address/);
    expect(connections).toBe(0);
  });
});
