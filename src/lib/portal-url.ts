// The portal setting: a Bynder host name or https URL. Refused: other schemes, credentials in the
// URL, IP literals, paths, port 0. What a host name resolves to is checked when the client connects
// (src/lib/net/address-guard.ts). Loopback (http or https, any port) is allowed only for local development,
// when the process sets LOOPBACK_PORTAL_SWITCH (the test config and the local CLI do; OCP never
// does), so an installed app can never be pointed at services on its own host.

export const LOOPBACK_PORTAL_SWITCH = 'BYNDER_ALLOW_LOOPBACK_PORTAL';

export function isLoopbackPortalAllowed(): boolean {
  return process.env[LOOPBACK_PORTAL_SWITCH] === '1';
}

/**
 * A portal origin that passed parsePortalUrl (e.g. `https://acme.bynder.com`). Branded, so the one
 * parse in the settings schema is the only way to make one, and nothing downstream parses again.
 */
export type PortalOrigin = string & { readonly portalOrigin: unique symbol };

export type PortalUrlResult = { ok: true; origin: PortalOrigin } | { ok: false; problem: string };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

export function parsePortalUrl(input: string): PortalUrlResult {
  const trimmed = input.trim();
  if (trimmed === '') {
    return { ok: false, problem: 'is empty; enter your portal, for example acme.bynder.com' };
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: 'is not a web address; enter a host name such as acme.bynder.com' };
  }
  const loopback = isLoopbackHost(url.hostname);
  if (loopback && !isLoopbackPortalAllowed()) {
    return {
      ok: false,
      problem: `points at this machine (${url.hostname}); enter your Bynder portal, such as acme.bynder.com`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      problem: 'must not contain a user name or password; put credentials in their own fields',
    };
  }
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) {
    return {
      ok: false,
      problem: `uses ${url.protocol.replace(':', '')}; Bynder portals are reached over https only`,
    };
  }
  if (!loopback && (IPV4.test(url.hostname) || url.hostname.startsWith('['))) {
    return { ok: false, problem: 'is an IP address; enter the portal host name, such as acme.bynder.com' };
  }
  if (!loopback && !HOST_NAME.test(url.hostname)) {
    return {
      ok: false,
      problem: `"${url.hostname}" is not a valid host name; enter one such as acme.bynder.com`,
    };
  }
  if (url.port === '0') {
    return {
      ok: false,
      problem: 'uses port 0, which no server listens on; leave the port out (https uses 443)',
    };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return {
      ok: false,
      problem: 'must be the portal address only, without a path or query (e.g. https://acme.bynder.com)',
    };
  }
  return { ok: true, origin: url.origin as PortalOrigin };
}

/** parsePortalUrl for an address known to be a portal (the local emulator's); throws if it is not. */
export function portalOriginOf(url: string): PortalOrigin {
  const parsed = parsePortalUrl(url);
  if (!parsed.ok) throw new TypeError(`not a portal address: ${url} (${parsed.problem})`);
  return parsed.origin;
}
