import type { Request } from 'express';

import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';

const TOKEN_PATH = '/v6/authentication/oauth2/token';

/**
 * OAuth 2.0 token endpoint, client-credentials grant only. Errors use the OAuth 2.0
 * body (`{"error":"invalid_client"}`, RFC 6749 5.2) rather than Bynder's v4 envelope: the v6
 * service is not the v4 API and Bynder's exact error body is not in our facts.
 */
export function oauthRoutes({ tokens }: RouteDeps): RouteDef[] {
  return [
    {
      method: 'POST',
      template: TOKEN_PATH,
      handle: (req, res) => {
        const body = (req.is('application/x-www-form-urlencoded') ? req.body : {}) as Record<string, unknown>;
        const field = (name: string): string | undefined =>
          typeof body[name] === 'string' ? body[name] : undefined;
        if (field('grant_type') !== 'client_credentials') {
          res.status(400).json({
            error: 'unsupported_grant_type',
            error_description: 'the emulator issues tokens for grant_type=client_credentials only',
          });
          return;
        }
        const basic = basicCredentials(req);
        const clientId = field('client_id') ?? basic?.clientId;
        const clientSecret = field('client_secret') ?? basic?.clientSecret;
        const client = clientId && clientSecret ? tokens.client(clientId, clientSecret) : undefined;
        if (!client) {
          res
            .status(401)
            .json({ error: 'invalid_client', error_description: 'Client authentication failed' });
          return;
        }
        const requested = (field('scope') ?? '').split(/\s+/).filter((scope) => scope !== '');
        const issued = tokens.issue(client, requested);
        res.set('Cache-Control', 'no-store').json({
          access_token: issued.accessToken,
          token_type: 'bearer',
          expires_in: issued.expiresIn,
          scope: issued.scopes.join(' '),
        });
      },
    },
  ];
}

function basicCredentials(req: Request): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}
