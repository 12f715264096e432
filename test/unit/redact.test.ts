import { describe, expect, it } from 'vitest';

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
