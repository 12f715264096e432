// Belt and braces for "no secret ever in a log": whatever text leaves the client (log lines, error
// messages, echoed Bynder messages) passes through here with the secrets in play.

export const REDACTED = '[REDACTED]';

/** The spellings a secret can take in text we emit: as is, in a URL, and in a form body. */
function spellingsOf(secret: string): string[] {
  const inUrl = encodeURIComponent(secret);
  const inForm = new URLSearchParams({ s: secret }).toString().slice(2);
  return [...new Set([secret, inUrl, inForm])];
}

/** Replaces every occurrence of each non-empty secret (and its URL/form-encoded forms) with [REDACTED]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const spellings = secrets
    .filter((secret) => secret !== '')
    .flatMap(spellingsOf)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const spelling of spellings) {
    result = result.split(spelling).join(REDACTED);
  }
  return result;
}
