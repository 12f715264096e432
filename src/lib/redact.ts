// Belt and braces for "no secret ever in a log": whatever text leaves the client (log lines, error
// messages, echoed Bynder messages) passes through here with the secrets in play. This is the one
// place that knows how a secret can be spelled; every cut of such text happens after it has run.

export const REDACTED = '[REDACTED]';

/** Base64 runs shorter than this are not searched for: too short to be told from ordinary text. */
const MIN_BASE64_CORE = 8;
/** Credentials of unknown value after an auth scheme (`Bearer …`, `Basic …`): long enough to be one. */
const AUTH_SCHEME_CREDENTIAL = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{16,}/gi;
const BASE64_RUN_CHARS = /[A-Za-z0-9+/=_-]/;

/** A secret as plain text, in a URL, in a form body and inside a JSON string. */
function textSpellingsOf(secret: string): string[] {
  const inUrl = encodeURIComponent(secret);
  const inForm = new URLSearchParams({ s: secret }).toString().slice(2);
  const inJson = JSON.stringify(secret).slice(1, -1);
  return [secret, inUrl, inForm, inJson];
}

/** Escapes `text` for a RegExp; percent escapes (`%2F`) match in either letter case (`%2f`). */
function spellingPattern(text: string): string {
  return text
    .split(/(%[0-9A-F]{2})/)
    .map((part, i) =>
      i % 2 === 1
        ? `%[${part[1]}${part[1]?.toLowerCase()}][${part[2]}${part[2]?.toLowerCase()}]`
        : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
}

function lowerCaseEscapes(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/**
 * The part of base64 that is fixed by `secret` alone, for each of the three byte offsets at which it
 * can sit inside a longer encoded text (`Bearer <token>`, `client_id:client_secret` of HTTP Basic,
 * the token on its own), in standard and URL-safe alphabets. Characters that mix in a neighbouring
 * byte are left out here and swallowed with the rest of the base64 run when a core is found.
 */
function base64CoresOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i carries bits 6i..6i+5; only those lying wholly within the secret's bytes count.
    const start = Math.ceil((offset * 4) / 3);
    const end = Math.floor(((offset + bytes.length) * 4) / 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_CORE) {
      cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return cores;
}

/** Replaces the whole base64 run around each occurrence of a core (it encodes a secret). */
function redactBase64(text: string, cores: readonly string[]): string {
  let result = text;
  for (const core of cores) {
    let at = result.indexOf(core);
    while (at !== -1) {
      let start = at;
      let end = at + core.length;
      while (start > 0 && BASE64_RUN_CHARS.test(result[start - 1] ?? '')) start -= 1;
      while (end < result.length && BASE64_RUN_CHARS.test(result[end] ?? '')) end += 1;
      result = `${result.slice(0, start)}${REDACTED}${result.slice(end)}`;
      at = result.indexOf(core, start + REDACTED.length);
    }
  }
  return result;
}

/**
 * Replaces each non-empty secret with [REDACTED] in every spelling it can take in text we emit or
 * keep: as is, URL- and form-encoded (percent escapes in either letter case), JSON-escaped, and
 * base64 (alone, after `Bearer `, or as `client_id:client_secret` in HTTP Basic). Any credential after
 * `Bearer` or `Basic` is replaced too, so a token we were never told about does not pass either.
 *
 * Only the secret's own characters are replaced, never its neighbours, and a text that has been
 * through here already comes back unchanged: the markers it holds are left alone, so text redacted
 * by the client and again by whoever prints it still reads `[REDACTED]`.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const present = [...new Set(secrets.filter((secret) => secret !== ''))];
  const spellings = [...new Set(present.flatMap(textSpellingsOf))];
  let result = text;
  if (spellings.length > 0) {
    // The marker is one of the alternatives and is put back as it was, so no secret is searched for
    // inside it; longest first, so a secret that contains another (or the marker) is replaced whole.
    const alternatives = [...spellings, REDACTED].sort((a, b) => b.length - a.length);
    result = result.replace(new RegExp(alternatives.map(spellingPattern).join('|'), 'g'), (found) =>
      found === REDACTED ? found : REDACTED,
    );
  }
  // OAuth clients form-encode id and secret before joining them for HTTP Basic (RFC 6749 section
  // 2.3.1), so the encoded spellings are searched for in base64 too, with either letter case of escape.
  const encoded = spellings.flatMap((spelling) => [spelling, lowerCaseEscapes(spelling)]);
  const cores = [...new Set(encoded)].flatMap(base64CoresOf);
  // Between the markers only: a base64 core is never searched for inside one.
  return result
    .split(REDACTED)
    .map((stretch) => redactBase64(stretch, cores).replace(AUTH_SCHEME_CREDENTIAL, `$1$2${REDACTED}`))
    .join(REDACTED);
}

/**
 * A URL someone supplied, fit for a message or a log line: no user name or password, every query
 * value replaced (signed CDN and S3 links carry their signature and credentials there), no fragment.
 * The scheme, host, port, path and query names stay, so a person can still tell which link it was.
 * Text that is not a URL keeps only what comes before its first `?` or `#`, without a `user:pass@`.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return (String(url).split(/[?#]/, 1)[0] ?? '').replace(/\/\/[^/@]*@/, '//');
  }
  const names = [...parsed.searchParams.keys()];
  const query =
    names.length === 0 ? '' : `?${names.map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join('&')}`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}
