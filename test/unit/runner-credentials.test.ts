import { describe, expect, it } from 'vitest';

import { createPortalTarget } from '../../dev/cli/sync/targets/portal-target';

// The runner takes credentials from the environment only; each must be long enough to be a Bynder
// credential, the ones it does not use included, since all of them are redacted from its output.

const TOKEN = 'runner-token-4e8b2d6f1a';
const CLIENT_ID = '8e4c2a6f-1b3d-4f5a-9c7e-0d2b4f6a8c1e';
const CLIENT_SECRET = 'runner-client-secret-7c3a';
const MINIMUM = 'too short for a Bynder credential: this app takes at least 16 characters';

describe('createPortalTarget credentials', () => {
  it('takes realistic credentials and names every one set as a secret', () => {
    const target = createPortalTarget('acme.bynder.com', {
      BYNDER_TOKEN: TOKEN,
      BYNDER_CLIENT_ID: CLIENT_ID,
      BYNDER_CLIENT_SECRET: CLIENT_SECRET,
    });
    expect(target.credentials).toEqual({ auth_method: 'permanent_token', token: TOKEN });
    expect(target.secrets).toEqual([TOKEN, CLIENT_ID, CLIENT_SECRET]);
  });

  it('refuses a 1-character BYNDER_TOKEN, naming the variable and the minimum', () => {
    expect(() => createPortalTarget('acme.bynder.com', { BYNDER_TOKEN: 'T' })).toThrow(
      `BYNDER_TOKEN is 1 character long, ${MINIMUM}`,
    );
  });

  it('refuses a short credential it would not even use', () => {
    expect(() =>
      createPortalTarget(
        'acme.bynder.com',
        { BYNDER_TOKEN: 'wrong', BYNDER_CLIENT_ID: CLIENT_ID, BYNDER_CLIENT_SECRET: CLIENT_SECRET },
        'oauth_client_credentials',
      ),
    ).toThrow(`BYNDER_TOKEN is 5 characters long, ${MINIMUM}`);
  });
});
