import { describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { parsePortalUrl } from '../../src/lib/portal-url';
import { portalOf } from '../helpers/portal-origin';
import { silentLogger } from '../helpers/test-loggers';

const logger = silentLogger;
const credentials = { kind: 'permanent_token', token: 'unit-token-6c1f8a3e' } as const;

// The client takes a PortalOrigin, which only parsePortalUrl makes: a portal the settings schema
// refuses cannot reach the client at all, so nothing is ever sent to it.
describe('BynderClient options: the portal must be a Bynder origin', () => {
  it.each([
    ['http://acme.bynder.com', 'https only'],
    ['ftp://acme.bynder.com', 'https only'],
    ['https://acme.bynder.com/api', 'without a path'],
    ['https://user:pw@acme.bynder.com', 'user name or password'],
    ['', 'is empty'],
  ])('refuses %j before sending anything', (portalUrl, problem) => {
    const parsed = parsePortalUrl(portalUrl);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });

  it.each(['https://acme.bynder.com', 'acme.bynder.com', 'http://127.0.0.1:4010', 'http://localhost:4010'])(
    'accepts %j',
    (portalUrl) => {
      expect(new BynderClient({ portalUrl: portalOf(portalUrl), credentials, logger })).toBeInstanceOf(
        BynderClient,
      );
    },
  );
});
