import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { classifyAddress, guardedLookup, PRIVATE_ADDRESS_CODE } from '../../src/lib/net/address-guard';
import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['::ffff:169.254.169.254', 'private'],
    ['::ffff:a9fe:a9fe', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['0.0.0.0', 'private'],
    ['0.1.2.3', 'private'],
    ['224.0.0.251', 'private'],
    ['239.255.255.250', 'private'],
    ['255.255.255.255', 'private'],
    ['::', 'private'],
    ['fe80::1', 'private'],
    ['febf::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['ff02::1', 'private'],
    ['not an address', 'private'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['::ffff:93.184.216.34', 'public'],
    ['2606:4700:4700::1111', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

/** A resolver that answers from a table and never asks DNS. */
function stubResolver(table: Record<string, string[]>): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname: string, options: LookupOptions, callback: Parameters<LookupFunction>[2]) => {
    calls.push(hostname);
    const found = table[hostname];
    if (found === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      return;
    }
    const entries: LookupAddress[] = found.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    if (options.all === true) callback(null, entries);
    else callback(null, entries[0]?.address ?? '', entries[0]?.family);
  }) as LookupFunction & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}

function resolveWith(lookup: LookupFunction, hostname: string, all: boolean) {
  return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
    lookup(hostname, { all }, (error, address) => resolve({ error, address }));
  });
}

describe('guardedLookup', () => {
  const resolver = stubResolver({
    'acme.bynder.com': ['93.184.216.34'],
    'localtest.me': ['127.0.0.1'],
    'app.127.0.0.1.nip.io': ['127.0.0.1'],
    'foo.localhost': ['::1'],
    'metadata.attacker.example': ['169.254.169.254'],
    'mixed.attacker.example': ['93.184.216.34', '10.0.0.7'],
    'mapped.attacker.example': ['::ffff:192.168.0.1'],
  });

  it.each([true, false])('passes public addresses on (all: %s)', async (all) => {
    const { error, address } = await resolveWith(guardedLookup(resolver), 'acme.bynder.com', all);
    expect(error).toBeNull();
    expect(JSON.stringify(address)).toContain('93.184.216.34');
  });

  it.each([
    'localtest.me',
    'app.127.0.0.1.nip.io',
    'foo.localhost',
    'metadata.attacker.example',
    'mapped.attacker.example',
  ])('refuses %s, which resolves to this host or a private network', async (hostname) => {
    vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '0');
    for (const all of [true, false]) {
      const { error } = await resolveWith(guardedLookup(resolver), hostname, all);
      expect(error?.code).toBe(PRIVATE_ADDRESS_CODE);
      expect(error?.message).toContain(hostname);
    }
  });

  it('refuses a host when any one of its addresses is refused (the connection may pick any)', async () => {
    const { error } = await resolveWith(guardedLookup(resolver), 'mixed.attacker.example', true);
    expect(error?.code).toBe(PRIVATE_ADDRESS_CODE);
  });

  it('allows loopback, and only loopback, while the development switch is on', async () => {
    vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '1');
    expect((await resolveWith(guardedLookup(resolver), 'localtest.me', true)).error).toBeNull();
    expect((await resolveWith(guardedLookup(resolver), 'foo.localhost', false)).error).toBeNull();
    const metadata = await resolveWith(guardedLookup(resolver), 'metadata.attacker.example', true);
    expect(metadata.error?.code).toBe(PRIVATE_ADDRESS_CODE);
  });

  it('hands resolver errors on unchanged', async () => {
    const { error } = await resolveWith(guardedLookup(resolver), 'unknown.example', false);
    expect(error?.code).toBe('ENOTFOUND');
  });
});
