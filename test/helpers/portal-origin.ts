import { type PortalOrigin, portalOriginOf } from '../../src/lib/portal-url';

/** An emulator's URL as the portal origin the settings schema would make of it (loopback is allowed in tests). */
export function portalOf(url: string): PortalOrigin {
  return portalOriginOf(url);
}
