import { createHash } from 'node:crypto';

import type { Credentials } from './config';

// Which values are secrets: the one answer for the app (client, deliveries, notices, the settings
// form), the local runner and the local page, so no two places can disagree about what to redact.
// How a secret can be spelled once it is in a text is redact.ts's business.

/**
 * The connection section's credential fields, as the form submits them and the secrets row stores
 * them. Each value is a secret, the OAuth client id included: it is stored with the secret, and with
 * the secret it makes the HTTP Basic pair of a token request.
 */
export const CREDENTIAL_FIELDS = ['token', 'client_id', 'client_secret'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/** Access tokens remembered per OAuth client: enough to cover one being replaced while in use. */
const ISSUED_TOKENS_KEPT = 4;
/** OAuth clients remembered per process; the oldest is forgotten past this. */
const CLIENTS_KEPT = 32;

/**
 * Access tokens issued to each OAuth client in this process, keyed by a fingerprint of the client's
 * credentials (never the credentials themselves). An access token is as good as the credentials for
 * its lifetime, so it is redacted wherever they are, by whatever asks secretsOf().
 */
const issuedTokens = new Map<string, string[]>();

function clientFingerprint(clientId: string, clientSecret: string): string {
  return createHash('sha256').update(`${clientId}\u0000${clientSecret}`).digest('hex');
}

/** Records an access token issued for `credentials`, so that secretsOf() names it from now on. */
export function rememberIssuedToken(credentials: Credentials, accessToken: string): void {
  if (credentials.kind !== 'oauth_client_credentials' || accessToken === '') return;
  const key = clientFingerprint(credentials.clientId, credentials.clientSecret);
  const tokens = issuedTokens.get(key) ?? [];
  // Re-inserted, so the map's first key is always the client heard from least recently.
  issuedTokens.delete(key);
  issuedTokens.set(
    key,
    [...tokens.filter((token) => token !== accessToken), accessToken].slice(-ISSUED_TOKENS_KEPT),
  );
  if (issuedTokens.size > CLIENTS_KEPT) {
    const oldest = issuedTokens.keys().next().value;
    if (oldest !== undefined) issuedTokens.delete(oldest);
  }
}

/** Every secret that `credentials` stand for: the credentials and the access tokens issued for them. */
export function secretsOf(credentials: Credentials): string[] {
  if (credentials.kind === 'permanent_token') return [credentials.token];
  const issued = issuedTokens.get(clientFingerprint(credentials.clientId, credentials.clientSecret)) ?? [];
  return [credentials.clientId, credentials.clientSecret, ...issued];
}

/**
 * The secrets in a set of connection fields (a submitted form, a stored secrets row, credentials
 * read from the environment): every non-empty credential field, trimmed as the form trims it, and
 * the access tokens issued for an OAuth client among them.
 */
export function secretsOfFields(fields: Readonly<Record<string, unknown>>): string[] {
  const value = (field: CredentialField): string | undefined => {
    const raw = fields[field];
    return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
  };
  const clientId = value('client_id');
  const clientSecret = value('client_secret');
  const issued =
    clientId !== undefined && clientSecret !== undefined
      ? secretsOf({ kind: 'oauth_client_credentials', clientId, clientSecret })
      : [];
  const values = CREDENTIAL_FIELDS.map(value).filter((v): v is string => v !== undefined);
  return [...new Set([...values, ...issued])];
}
