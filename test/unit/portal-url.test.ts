import { afterEach, describe, expect, it, vi } from 'vitest';

import { isLoopbackHost, LOOPBACK_PORTAL_SWITCH, parsePortalUrl } from '../../src/lib/portal-url';

// The portal setting decides where the token is sent, so everything that could send it somewhere
// else (plain http, credentials in the URL, an IP literal, a path or query) is refused.

describe('parsePortalUrl: accepted portals', () => {
  it.each([
    ['acme.bynder.com', 'https://acme.bynder.com'],
    ['https://acme.bynder.com', 'https://acme.bynder.com'],
    ['https://acme.bynder.com/', 'https://acme.bynder.com'],
    ['  https://ACME.Bynder.com  ', 'https://acme.bynder.com'],
    ['https://assets.example.co.uk:8443', 'https://assets.example.co.uk:8443'],
  ])('accepts %j as %s', (input, origin) => {
    expect(parsePortalUrl(input)).toEqual({ ok: true, origin });
  });

  it.each([
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
    ['https://127.0.0.1', 'https://127.0.0.1'],
  ])('accepts the loopback development portal %j over http or https', (input, origin) => {
    expect(parsePortalUrl(input)).toEqual({ ok: true, origin });
  });
});

describe('parsePortalUrl: refused portals', () => {
  it.each([
    ['http://acme.bynder.com', /https only/],
    ['ftp://acme.bynder.com', /https only/],
    ['ws://acme.bynder.com', /https only/],
    ['file:///etc/passwd', /https only/],
    ['javascript://acme.bynder.com', /https only/],
  ])('refuses %j: not https', (input, problem) => {
    expect(parsePortalUrl(input)).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });

  it.each([
    'https://user:pass@acme.bynder.com',
    'https://user@acme.bynder.com',
    'https://:secret@acme.bynder.com',
    'user:pass@acme.bynder.com',
    'http://user:pass@127.0.0.1:4010',
  ])('refuses %j: credentials in the URL', (input) => {
    expect(parsePortalUrl(input)).toEqual({
      ok: false,
      problem: expect.stringMatching(/user name or password/),
    });
  });

  it.each([
    'https://10.0.0.1',
    'https://192.168.1.20:8443',
    '169.254.169.254',
    'https://[2001:db8::1]',
    'https://[::ffff:10.0.0.1]',
    // WHATWG URL parsing turns these spellings into 10.0.0.1: still an IP literal.
    'https://0x0a.0.0.1',
    'https://167772161',
    'https://012.0.0.1',
  ])('refuses %j: an IP literal, however it is spelled', (input) => {
    expect(parsePortalUrl(input)).toEqual({ ok: false, problem: expect.stringMatching(/IP address/) });
  });

  it.each([
    ['https://acme.bynder.com/api/v4', /without a path or query/],
    ['https://acme.bynder.com?x=1', /without a path or query/],
    ['https://acme.bynder.com#frag', /without a path or query/],
    ['https://acme.bynder.com/media/../api', /without a path or query/],
  ])('refuses %j: more than an origin', (input, problem) => {
    expect(parsePortalUrl(input)).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });

  it.each(['https://acme.bynder.com:0', 'acme.bynder.com:00', 'http://127.0.0.1:0'])(
    'refuses %j: port 0',
    (input) => {
      expect(parsePortalUrl(input)).toEqual({ ok: false, problem: expect.stringMatching(/port 0/) });
    },
  );

  it.each(['', '   ', 'https://', 'https://acme_bynder.com', 'https://-acme.bynder.com', 'https://acme'])(
    'refuses %j: not a usable host name',
    (input) => {
      expect(parsePortalUrl(input).ok).toBe(false);
    },
  );

  it('says what to enter instead in every refusal', () => {
    const inputs = ['', 'http://acme.bynder.com', 'https://u:p@acme.bynder.com', 'https://10.0.0.1'];
    expect(inputs.map(parsePortalUrl)).toEqual(
      inputs.map(() => ({ ok: false, problem: expect.stringMatching(/enter|https|credentials/) })),
    );
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'])('treats %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['localhost.evil.test', '127.0.0.1.evil.test', '10.0.0.1', '0.0.0.0', '::1', 'acme.bynder.com'])(
    'does not treat %s as loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('parsePortalUrl: loopback outside development', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(['http://127.0.0.1:4010', 'https://localhost', 'http://[::1]:4010'])(
    'refuses %j unless the development switch is set (OCP never sets it)',
    (input) => {
      vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '');
      expect(parsePortalUrl(input)).toEqual({
        ok: false,
        problem: expect.stringMatching(/points at this machine .*; enter your Bynder portal/),
      });
    },
  );
});
