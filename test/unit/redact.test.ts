import { describe, expect, it } from 'vitest';

import { readBynderMessage } from '../../src/lib/bynder/classify-response';
import { MAX_DETAIL_LENGTH } from '../../src/lib/bynder/constants';
import { REDACTED, redactSecrets } from '../../src/lib/redact';

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redactSecrets('Bearer abc123 and again abc123', ['abc123'])).toBe(
      `Bearer ${REDACTED} and again ${REDACTED}`,
    );
  });

  it('replaces the URL-encoded and form-encoded spellings too', () => {
    const secret = 's3cr/et+with space&=';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} form ${new URLSearchParams({ s: secret }).toString()}`;
    const redacted = redactSecrets(text, [secret]);
    expect(redacted).not.toContain(secret);
    expect(redacted).not.toContain(encodeURIComponent(secret));
    expect(redacted).toBe(`raw ${REDACTED} url ${REDACTED} form s=${REDACTED}`);
  });

  it('ignores empty secrets instead of redacting everything', () => {
    expect(redactSecrets('nothing secret here', ['', ''])).toBe('nothing secret here');
  });

  it('replaces a longer secret whole when another secret is part of it', () => {
    expect(redactSecrets('token abcdef', ['abc', 'abcdef'])).toBe(`token ${REDACTED}`);
  });

  it('handles several secrets and leaves other text alone', () => {
    expect(redactSecrets('id=client-1 secret=xyz token=t0k', ['xyz', 't0k'])).toBe(
      `id=client-1 secret=${REDACTED} token=${REDACTED}`,
    );
  });

  it('treats secrets as text, not patterns', () => {
    expect(redactSecrets('a.b a+b (a*b)', ['a.b', '(a*b)'])).toBe(`${REDACTED} a+b ${REDACTED}`);
  });
});

describe('redactSecrets: encoded spellings a server may echo', () => {
  const token = 'perm-T0KEN-9c4e1f7a2b8d6e3f-abcdef';
  const clientId = 'client-7d2e-4b9a1f63';
  const secret = 'cl+secret/Q9z=Ww7x#K1';
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it.each([
    ['base64 of the token', b64(token)],
    ['base64 of "Bearer <token>"', b64(`Bearer ${token}`)],
    ['base64url of the token', Buffer.from(token).toString('base64url')],
    ['base64 of the token after one other byte', b64(`x${token}`)],
  ])('replaces %s', (_label, encoded) => {
    const redacted = redactSecrets(`echo: ${encoded} end`, [token]);
    expect(redacted).toBe(`echo: ${REDACTED} end`);
  });

  it('replaces the client secret in lower-case and mixed-case percent-encoding', () => {
    const upper = encodeURIComponent(secret);
    const lower = upper.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    const mixed = upper.replace('%2F', '%2f');
    const redacted = redactSecrets(`a=${lower}&b=${mixed}`, [secret]);
    expect(redacted).toBe(`a=${REDACTED}&b=${REDACTED}`);
  });

  it('replaces HTTP Basic credentials (base64 of client_id:client_secret), header or not', () => {
    const basic = b64(`${clientId}:${secret}`);
    const formBasic = b64(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`);
    const redacted = redactSecrets(`got ${basic}; header Authorization: Basic ${formBasic}`, [secret]);
    expect(redacted).not.toContain(basic);
    expect(redacted).not.toContain(formBasic);
    expect(redacted).toBe(`got ${REDACTED}; header Authorization: Basic ${REDACTED}`);
  });

  it('replaces any long credential after Bearer or Basic, even one it was not told about', () => {
    expect(redactSecrets('sent Authorization: Bearer 0123456789abcdef0123', [])).toBe(
      `sent Authorization: Bearer ${REDACTED}`,
    );
    expect(redactSecrets('a Bearer token is missing', [])).toBe('a Bearer token is missing');
  });

  it('replaces the JSON-escaped spelling of a secret with a quote', () => {
    const quoted = 'se"cr\\et-value-1234';
    expect(redactSecrets(JSON.stringify({ echo: quoted }), [quoted])).toBe(`{"echo":"${REDACTED}"}`);
  });

  it('leaves base64 of other text alone', () => {
    const other = b64('nothing secret in here at all');
    expect(redactSecrets(other, [token, secret])).toBe(other);
  });
});

describe('redactSecrets: exact, whatever surrounds the secret', () => {
  // 16 characters, the shortest credential the settings take, spelled inside ordinary words.
  const secret = 'internationaliza';

  it('replaces only the secret’s own characters inside longer words', () => {
    expect(redactSecrets('internationalization and internationalizable, POST /api/v4/media/', [secret])).toBe(
      `${REDACTED}tion and ${REDACTED}ble, POST /api/v4/media/`,
    );
  });

  it('leaves a redacted text unchanged when it is redacted again', () => {
    const once = redactSecrets(`it is ${secret}, revoked; Bearer ${secret}`, [secret]);
    expect(once).toBe(`it is ${REDACTED}, revoked; Bearer ${REDACTED}`);
    expect(redactSecrets(once, [secret])).toBe(once);
  });

  it('never searches inside its own markers, even for a secret spelled within one', () => {
    // Credentials this short are refused by the settings; the marker still survives them.
    expect(redactSecrets(`${REDACTED} POST`, ['T'])).toBe(`${REDACTED} POS${REDACTED}`);
    expect(redactSecrets(redactSecrets('DELETE', ['E']), ['E'])).toBe(`D${REDACTED}L${REDACTED}T${REDACTED}`);
  });

  it('is redacted before a message is cut, so no piece of a secret straddling the cut remains', () => {
    const cutAt = MAX_DETAIL_LENGTH;
    const message = `${'word '.repeat(Math.ceil(cutAt / 5))}`.slice(0, cutAt - 6) + `${secret}ation`;
    const read = readBynderMessage({ message }, 400, (text) => redactSecrets(text, [secret]));
    expect(read).not.toContain(secret.slice(0, 6));
    expect(read.startsWith(message.slice(0, cutAt - 6))).toBe(true);
  });
});
