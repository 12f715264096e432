import { describeShortCredential } from '../../../../src/lib/config';
import { parsePortalUrl } from '../../../../src/lib/portal-url';
import { secretsOfFields } from '../../../../src/lib/secret-values';
import { countHttpRequests } from './http-request-counter';
import type { SyncTarget } from './sync-target';

/** Environment variables that carry credentials for a real portal (never a flag or a file). */
export const CREDENTIAL_ENV = {
  token: 'BYNDER_TOKEN',
  clientId: 'BYNDER_CLIENT_ID',
  clientSecret: 'BYNDER_CLIENT_SECRET',
} as const;

/**
 * A real Bynder portal. The token wins when both kinds of credentials are set, unless the settings
 * ask for OAuth client credentials (`connection.auth_method`).
 */
export function createPortalTarget(portal: string, env: NodeJS.ProcessEnv, authMethod?: string): SyncTarget {
  const parsed = parsePortalUrl(portal);
  if (!parsed.ok) throw new Error(`--portal: Portal ${parsed.problem}`);
  const token = env[CREDENTIAL_ENV.token]?.trim();
  const clientId = env[CREDENTIAL_ENV.clientId]?.trim();
  const clientSecret = env[CREDENTIAL_ENV.clientSecret]?.trim();
  // Every credential set is checked, used or not: each is redacted from what the run prints, and a
  // short one would be cut out of ordinary words.
  refuseShortCredentials({ token, client_id: clientId, client_secret: clientSecret });
  const wantsOauth =
    authMethod === 'oauth_client_credentials' || (!token && authMethod !== 'permanent_token');
  let credentials: Record<string, string>;
  if (wantsOauth) {
    if (!clientId || !clientSecret) {
      throw new Error(
        `no credentials for ${parsed.origin}: set ${CREDENTIAL_ENV.token} (a permanent token), or ` +
          `${CREDENTIAL_ENV.clientId} and ${CREDENTIAL_ENV.clientSecret} (an OAuth app with client credentials), in the environment`,
      );
    }
    credentials = {
      auth_method: 'oauth_client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    };
  } else {
    if (!token) {
      throw new Error(
        `connection.auth_method is permanent_token but ${CREDENTIAL_ENV.token} is not set in the environment`,
      );
    }
    credentials = { auth_method: 'permanent_token', token };
  }
  // node:http reports the host name without the port.
  const host = new URL(parsed.origin).hostname;
  return {
    kind: 'portal',
    portalUrl: parsed.origin,
    describe: `portal ${parsed.origin}`,
    credentials,
    // Every credential in the environment, used or not, is kept out of what the run prints.
    secrets: secretsOfFields({ token, client_id: clientId, client_secret: clientSecret }),
    countRequests: () => countHttpRequests(host),
    async finish({ dumpState }) {
      if (dumpState) throw new Error('--dump-state works with the embedded emulator only, not with --portal');
    },
  };
}

/** The form's length rule, said about the environment variable the value came from. */
function refuseShortCredentials(credentials: Record<string, string | undefined>): void {
  const variables: Record<string, string> = {
    token: CREDENTIAL_ENV.token,
    client_id: CREDENTIAL_ENV.clientId,
    client_secret: CREDENTIAL_ENV.clientSecret,
  };
  for (const [field, variable] of Object.entries(variables)) {
    const value = credentials[field];
    const short = value ? describeShortCredential(value) : undefined;
    if (short !== undefined) throw new Error(`${variable} ${short}`);
  }
}
