import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

import { isLoopbackPortalAllowed } from '../portal-url';

// Where the app connects: the Bynder portal (src/lib/bynder/) and the file hosts named by records
// (src/lib/files/). A host name is checked as typed, but it can resolve to anything: `localtest.me`,
// `*.nip.io`, `foo.localhost` or an attacker's own DNS answer 127.0.0.1 or 169.254.169.254. So the
// address is checked again when the socket is about to connect, by the `lookup` the HTTP agents use:
// an address on this host or a private network is refused before any connection is attempted.

/** The Node-style error code of a refused address; transport-failure.ts words the message. */
export const PRIVATE_ADDRESS_CODE = 'ERR_BYNDER_PRIVATE_ADDRESS';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Never a Bynder portal nor a file host: this host, private and shared networks, link-local, multicast, reserved. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['169.254.0.0', 16], // link-local, cloud metadata services (169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.168.0.0', 16], // RFC 1918
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some networks)
  ['ff00::', 8], // multicast
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible (`::a.b.c.d`) IPv6 one. */
function embeddedIpv4(address: string): string | undefined {
  // The URL parser writes every IPv6 form canonically, so `::ffff:7f00:1` and `::ffff:127.0.0.1` agree.
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const match = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (match === null) return undefined;
  const high = Number.parseInt(match[1] ?? '0', 16);
  const low = Number.parseInt(match[2] ?? '0', 16);
  return [Math.floor(high / 256), high % 256, Math.floor(low / 256), low % 256].join('.');
}

export type AddressKind = 'public' | 'loopback' | 'private';

/** What an IP address is: on this host (loopback), on a private or special network, or public. */
export function classifyAddress(address: string): AddressKind {
  const family = isIP(address);
  if (family === 0) return 'private'; // not an address at all: never connect to it
  if (family === 6) {
    const ipv4 = embeddedIpv4(address);
    if (ipv4 !== undefined) return classifyAddress(ipv4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return 'loopback';
  return PRIVATE.check(address, type) ? 'private' : 'public';
}

/** Why the app will not connect to `address`, or undefined when it may. */
export function refusalOf(address: string, allowLoopback: boolean): AddressKind | undefined {
  const kind = classifyAddress(address);
  if (kind === 'public' || (kind === 'loopback' && allowLoopback)) return undefined;
  return kind;
}

function refusedError(hostname: string): NodeJS.ErrnoException {
  return Object.assign(
    new Error(
      `${hostname} resolves to a loopback, private or link-local address; the app does not connect to it`,
    ),
    { code: PRIVATE_ADDRESS_CODE },
  );
}

export interface GuardRule {
  /**
   * Only loopback passes (and only under the development switch): for plain http, which the app
   * speaks to local stand-ins only, so a public host is never reached without TLS.
   */
  loopbackOnly?: boolean;
}

/** Whether the app may connect to `address` under `rule` (the development switch read now). */
export function mayConnect(address: string, rule: GuardRule = {}): boolean {
  const allowLoopback = isLoopbackPortalAllowed();
  if (rule.loopbackOnly === true) return allowLoopback && classifyAddress(address) === 'loopback';
  return refusalOf(address, allowLoopback) === undefined;
}

/**
 * A `lookup` for http(s).Agent that resolves with `resolve` (dns.lookup, read at call time so a test
 * can stub it) and fails with PRIVATE_ADDRESS_CODE when any address found is refused: one refused
 * answer among several refuses the host, since the connection may pick any of them. Loopback is
 * allowed only while BYNDER_ALLOW_LOOPBACK_PORTAL=1 (tests and the local CLI, for the emulator).
 */
export function guardedLookup(resolve?: LookupFunction, rule: GuardRule = {}): LookupFunction {
  return (hostname, options, callback) => {
    const lookup: LookupFunction = resolve ?? dns.lookup;
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const found = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      if (found.length === 0 || found.some((ip) => !mayConnect(ip, rule))) {
        return callback(refusedError(hostname), options.all === true ? [] : '', family);
      }
      return callback(null, address, family);
    });
  };
}
