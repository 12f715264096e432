import { parsePortalUrl, type PortalOrigin } from '../../src/lib/portal-url';

/** An emulator's URL as the portal origin the settings schema would make of it (loopback is allowed in tests). */
export function portalOf(url: string): PortalOrigin {
  const parsed = parsePortalUrl(url);
  if (!parsed.ok) throw new TypeError(`not a portal: ${url} (${parsed.problem})`);
  return parsed.origin;
}
