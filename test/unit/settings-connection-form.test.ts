import { describe, expect, it } from 'vitest';

import { hasConnectionChanged } from '../../src/lib/settings/connection-change';
import { readConnectionForm, readSecretField } from '../../src/lib/settings/settings-form';
import { portalOf } from '../helpers/portal-origin';

const TOKEN_PAGE = 'Settings > Advanced Settings > Portal Settings > Permanent Tokens';
const tokenForm = { portal: 'acme.bynder.com', auth_method: 'permanent_token' };
const oauthForm = { portal: 'acme.bynder.com', auth_method: 'oauth_client_credentials' };
const TOKEN = 'typed-token-5b8e1c4a7d2f';
const STORED_TOKEN = 'stored-token-9a3c6e0b2d4f';
const CLIENT_ID = '4c1e8a2b-6d3f-4b9a-8e7c-1f2a3b4c5d6e';
const CLIENT_SECRET = 'client-secret-7e9b1d3f5a';

/** The stored connection: saved for acme.bynder.com, with these secrets. */
function storedFor(secrets: Record<string, unknown>, portal: unknown = 'https://acme.bynder.com') {
  return { settings: { portal, auth_method: 'permanent_token' }, secrets };
}

function problems(formData: Record<string, unknown>, secrets: Record<string, unknown> = {}) {
  const read = readConnectionForm(formData, storedFor(secrets));
  return read.ok ? [] : read.problems;
}

describe('readConnectionForm', () => {
  it('normalises the portal to its origin and keeps only the chosen method’s secret', () => {
    const read = readConnectionForm(
      { ...tokenForm, portal: ' https://ACME.bynder.com/ ', token: ` ${TOKEN} `, client_id: 'x' },
      storedFor({}),
    );
    expect(read).toEqual({
      ok: true,
      form: {
        settings: { portal: 'https://acme.bynder.com', auth_method: 'permanent_token' },
        secrets: { token: TOKEN },
        credentials: { kind: 'permanent_token', token: TOKEN },
        keptStored: [],
      },
    });
  });

  it('refuses an empty token when none is stored', () => {
    expect(problems({ ...tokenForm, token: '' })).toEqual([
      {
        field: 'token',
        message: `Permanent token is empty; paste the token created in Bynder under ${TOKEN_PAGE}`,
      },
    ]);
  });

  it('keeps the stored token when the field comes back empty or masked', () => {
    for (const token of [undefined, '', '   ', '********']) {
      const read = readConnectionForm({ ...tokenForm, token }, storedFor({ token: STORED_TOKEN }));
      expect(read.ok && read.form.credentials).toEqual({ kind: 'permanent_token', token: STORED_TOKEN });
      expect(read.ok && read.form.keptStored).toEqual(['token']);
    }
  });

  it('takes a newly typed token over the stored one', () => {
    const read = readConnectionForm({ ...tokenForm, token: TOKEN }, storedFor({ token: STORED_TOKEN }));
    expect(read.ok && read.form.secrets).toEqual({ token: TOKEN });
  });

  it('refuses a token pasted with "Bearer " or with spaces inside', () => {
    expect(problems({ ...tokenForm, token: `Bearer ${TOKEN}` })).toEqual([
      {
        field: 'token',
        message: 'Permanent token starts with "Bearer"; paste the value alone, without "Bearer "',
      },
    ]);
    expect(problems({ ...tokenForm, token: 'typed-token 5b8e1c4a7d2f' })).toEqual([
      { field: 'token', message: 'Permanent token contains spaces or line breaks; paste it as one piece' },
    ]);
  });

  it('needs both OAuth client id and client secret, each named', () => {
    expect(problems(oauthForm).map((p) => p.field)).toEqual(['client_id', 'client_secret']);
    expect(problems({ ...oauthForm, client_id: CLIENT_ID })).toEqual([
      {
        field: 'client_secret',
        message:
          'OAuth client secret is empty; paste the secret Bynder showed when the OAuth app was created (Settings > Advanced Settings > Portal Settings > OAuth Apps)',
      },
    ]);
    expect(problems({ ...oauthForm, client_secret: CLIENT_SECRET })).toEqual([
      {
        field: 'client_id',
        message:
          'OAuth client id is empty; copy it from the OAuth app in Bynder under Settings > Advanced Settings > Portal Settings > OAuth Apps',
      },
    ]);
  });

  it('does not reuse a stored token for OAuth, nor OAuth secrets for a token', () => {
    expect(problems(oauthForm, { token: STORED_TOKEN }).map((p) => p.field)).toEqual([
      'client_id',
      'client_secret',
    ]);
    expect(
      problems(tokenForm, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).map((p) => p.field),
    ).toEqual(['token']);
  });

  it('reports portal and secret problems together', () => {
    expect(problems({ portal: 'http://acme.bynder.com', auth_method: 'permanent_token' })).toEqual([
      { field: 'portal', message: 'Portal uses http; Bynder portals are reached over https only' },
      {
        field: 'token',
        message: `Permanent token is empty; paste the token created in Bynder under ${TOKEN_PAGE}`,
      },
    ]);
  });

  it('refuses a portal with credentials and an IP literal', () => {
    expect(problems({ ...tokenForm, portal: 'https://me:pw@acme.bynder.com', token: TOKEN })).toEqual([
      {
        field: 'portal',
        message: 'Portal must not contain a user name or password; put credentials in their own fields',
      },
    ]);
    expect(problems({ ...tokenForm, portal: '10.0.0.8', token: TOKEN })).toEqual([
      {
        field: 'portal',
        message: 'Portal is an IP address; enter the portal host name, such as acme.bynder.com',
      },
    ]);
  });
});

describe('readConnectionForm: a stored credential stays with its portal', () => {
  const changed = (what: string) =>
    `The portal changed from https://acme.bynder.com to https://other.bynder.com: enter the ${what} again; a stored credential is never sent to another portal`;

  it('keeps the stored token for the same portal in any spelling', () => {
    const read = readConnectionForm(
      { ...tokenForm, portal: 'HTTPS://Acme.Bynder.com/' },
      storedFor({ token: STORED_TOKEN }),
    );
    expect(read.ok && read.form.keptStored).toEqual(['token']);
  });

  it('refuses an empty token for another portal, naming both portals', () => {
    expect(problems({ ...tokenForm, portal: 'other.bynder.com' }, { token: STORED_TOKEN })).toEqual([
      { field: 'token', message: changed('permanent token') },
    ]);
  });

  it('refuses each empty OAuth field for another portal, and takes typed ones', () => {
    const stored = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    expect(problems({ ...oauthForm, portal: 'other.bynder.com' }, stored)).toEqual([
      { field: 'client_id', message: changed('OAuth client id') },
      { field: 'client_secret', message: changed('OAuth client secret') },
    ]);
    expect(problems({ ...oauthForm, portal: 'other.bynder.com', client_id: CLIENT_ID }, stored)).toEqual([
      { field: 'client_secret', message: changed('OAuth client secret') },
    ]);
  });

  it('takes a typed token for another portal', () => {
    const read = readConnectionForm(
      { ...tokenForm, portal: 'other.bynder.com', token: TOKEN },
      storedFor({ token: STORED_TOKEN }),
    );
    expect(read.ok && read.form.credentials).toEqual({ kind: 'permanent_token', token: TOKEN });
  });

  it('keeps no stored token when no portal is stored with it', () => {
    const read = readConnectionForm(tokenForm, storedFor({ token: STORED_TOKEN }, null));
    expect(read.ok ? [] : read.problems).toEqual([
      {
        field: 'token',
        message:
          'No portal is stored with the permanent token: enter the permanent token again; a stored credential is never sent to another portal',
      },
    ]);
  });
});

describe('readConnectionForm: credentials too short to be a Bynder credential', () => {
  const minimum =
    'too short for a Bynder credential: this app takes at least 16 characters (an assumption, since Bynder documents no format; the credentials it issues are longer); paste the whole value';

  it('refuses a 1-character token with a message naming the minimum', () => {
    expect(problems({ ...tokenForm, token: 'T' })).toEqual([
      { field: 'token', message: `Permanent token is 1 character long, ${minimum}` },
    ]);
  });

  it('refuses a short OAuth client id and secret, each named', () => {
    expect(problems({ ...oauthForm, client_id: 'client-1', client_secret: 'wrong' })).toEqual([
      { field: 'client_id', message: `OAuth client id is 8 characters long, ${minimum}` },
      { field: 'client_secret', message: `OAuth client secret is 5 characters long, ${minimum}` },
    ]);
  });

  it('takes a credential of exactly the minimum length', () => {
    expect(problems({ ...tokenForm, token: 'x'.repeat(16) })).toEqual([]);
    expect(problems({ ...tokenForm, token: 'x'.repeat(15) })).toHaveLength(1);
  });
});

describe('readSecretField', () => {
  it('treats blank, mask characters and non-text as "keep what is stored"', () => {
    expect([undefined, null, 3, '', ' ', '****', '••••'].map(readSecretField)).toEqual(
      Array(7).fill(undefined),
    );
    expect(readSecretField(' a*b ')).toBe('a*b');
  });
});

describe('hasConnectionChanged', () => {
  const after = {
    settings: { portal: portalOf('https://acme.bynder.com'), auth_method: 'permanent_token' as const },
    secrets: { token: TOKEN },
  };

  it('is false for the same portal (in any spelling), method and token', () => {
    expect(
      hasConnectionChanged(
        {
          settings: { portal: 'acme.bynder.com', auth_method: 'permanent_token' },
          secrets: { token: TOKEN },
        },
        after,
      ),
    ).toBe(false);
  });

  it('is true for a first save, another portal, method or token', () => {
    expect(hasConnectionChanged({ settings: {}, secrets: {} }, after)).toBe(true);
    expect(
      hasConnectionChanged(
        {
          settings: { portal: 'other.bynder.com', auth_method: 'permanent_token' },
          secrets: { token: TOKEN },
        },
        after,
      ),
    ).toBe(true);
    expect(
      hasConnectionChanged(
        {
          settings: { portal: 'acme.bynder.com', auth_method: 'oauth_client_credentials' },
          secrets: { token: TOKEN },
        },
        after,
      ),
    ).toBe(true);
    expect(
      hasConnectionChanged(
        {
          settings: { portal: 'acme.bynder.com', auth_method: 'permanent_token' },
          secrets: { token: STORED_TOKEN },
        },
        after,
      ),
    ).toBe(true);
  });
});
