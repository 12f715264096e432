import { randomBytes } from 'node:crypto';

/** Every scope the emulator knows; a token without explicit scopes gets them all. */
const ALL_SCOPES = [
  'asset:read',
  'asset:write',
  'meta.assetbank:read',
  'meta.assetbank:write',
  'current.user:read',
] as const;
/** Security roles of the token's user; a token without explicit roles gets them all. */
const ALL_ROLES = [
  'MEDIAEDIT',
  'MEDIAREMOVE',
  'MARKPUBLIC',
  'MEDIAUPLOAD',
  'MEDIAUPLOADFORAPPROVAL',
  'METAPROPERTYMANAGEMENT',
  'METAMANAGEMENT',
] as const;

export const DEFAULT_TOKEN = 'demo-token-8c2f4e6a1b3d5f70';
const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface PermanentToken {
  token: string;
  scopes?: string[];
  roles?: string[];
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds?: number;
  roles?: string[];
  scopes?: string[];
}

export interface Grant {
  scopes: Set<string>;
  roles: Set<string>;
  /** ms epoch; undefined for permanent tokens, which never expire. */
  expiresAt?: number;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scopes: string[];
}

/** Permanent tokens, OAuth clients, and the access tokens issued to those clients. */
export class TokenStore {
  private permanent = new Map<string, Grant>();
  private clients = new Map<string, OAuthClient>();
  private readonly issued = new Map<string, Grant>();

  public constructor(private readonly now: () => number) {}

  public setPermanentTokens(tokens: PermanentToken[]): void {
    this.permanent = new Map(
      tokens.map((t) => [
        t.token,
        { scopes: new Set(t.scopes ?? ALL_SCOPES), roles: new Set(t.roles ?? ALL_ROLES) },
      ]),
    );
  }

  public setClients(clients: OAuthClient[]): void {
    this.clients = new Map(clients.map((client) => [client.clientId, client]));
  }

  public client(clientId: string, clientSecret: string): OAuthClient | undefined {
    const client = this.clients.get(clientId);
    return client && client.clientSecret === clientSecret ? client : undefined;
  }

  /**
   * Issues a JWT-shaped token. Bynder grants the intersection of the requested scopes and what the
   * client's user may do, silently; no requested scope means all of the client's scopes.
   */
  public issue(client: OAuthClient, requested: string[]): IssuedToken {
    const allowed = client.scopes ?? [...ALL_SCOPES];
    const scopes = requested.length > 0 ? allowed.filter((scope) => requested.includes(scope)) : allowed;
    const expiresIn = client.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    const issuedAt = this.now();
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    // Looks like a JWT (header.payload.signature) as Bynder's are; nothing verifies the signature.
    const accessToken = [
      encode({ alg: 'HS256', typ: 'JWT' }),
      encode({
        sub: client.clientId,
        iat: Math.floor(issuedAt / 1000),
        exp: Math.floor(issuedAt / 1000) + expiresIn,
        scope: scopes.join(' '),
      }),
      randomBytes(24).toString('base64url'),
    ].join('.');
    this.issued.set(accessToken, {
      scopes: new Set(scopes),
      roles: new Set(client.roles ?? ALL_ROLES),
      expiresAt: issuedAt + expiresIn * 1000,
    });
    return { accessToken, expiresIn, scopes };
  }

  /** The grant behind a bearer token, or undefined when unknown or expired. */
  public lookup(token: string): Grant | undefined {
    const grant = this.permanent.get(token) ?? this.issued.get(token);
    if (!grant) return undefined;
    if (grant.expiresAt !== undefined && grant.expiresAt <= this.now()) return undefined;
    return grant;
  }
}
