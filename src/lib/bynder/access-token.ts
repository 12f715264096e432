import { createHash } from 'node:crypto';

import type { Credentials } from '../config';
import type { Clock } from '../runtime-ports';
import { TOKEN_REFRESH_MARGIN_MS } from './constants';

/** What the token endpoint granted. */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Where the Bearer token for each request comes from. */
export interface AccessTokenSource {
  /** The token to send now (for OAuth: cached, or fetched when missing or about to expire). */
  get(): Promise<string>;
  /** Whether a 401 can be cured by fetching a new token (OAuth yes, permanent token no). */
  readonly renewable: boolean;
  /** Forgets `used` after Bynder refused it, so the next get() fetches a fresh one. */
  invalidate(used: string): void;
}

/** A permanent token never expires and cannot be renewed. */
function permanentTokenSource(token: string): AccessTokenSource {
  return { get: () => Promise.resolve(token), renewable: false, invalidate: () => undefined };
}

interface TokenSlot {
  cached?: { token: string; renewAt: number };
}

// deliver() builds a client per batch; without sharing, OAuth would cost a token request (from the
// request budget) every batch. So issued tokens are kept per process, per install, portal and OAuth
// client (keyed by a fingerprint, never the secret itself), and per clock so tests with fake clocks
// stay apart. Per install: a token one install was issued never serves another (InstallScope). Each client still fetches through its own transport (its budget and counters).
const sharedSlots = new WeakMap<Clock, Map<string, TokenSlot>>();

function sharedSlot(clock: Clock, key: string): TokenSlot {
  const byKey = sharedSlots.get(clock) ?? new Map<string, TokenSlot>();
  sharedSlots.set(clock, byKey);
  const slot = byKey.get(key) ?? {};
  byKey.set(key, slot);
  return slot;
}

/**
 * Client credentials: one token at a time, reused until shortly before it expires (60 s, or half the
 * lifetime for short-lived tokens). Concurrent callers of one client share one in-flight token request.
 */
function clientCredentialsSource(
  requestToken: () => Promise<IssuedToken>,
  clock: Clock,
  slot: TokenSlot,
): AccessTokenSource {
  let pending: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const issuedAt = clock.now();
    const issued = await requestToken();
    const lifetimeMs = issued.expiresInSeconds * 1000;
    const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
    slot.cached = { token: issued.accessToken, renewAt: issuedAt + lifetimeMs - margin };
    return issued.accessToken;
  };

  return {
    renewable: true,
    get() {
      const { cached } = slot;
      if (cached && clock.now() < cached.renewAt) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(used) {
      // Only the token that failed: another caller may already have replaced it.
      if (slot.cached?.token === used) slot.cached = undefined;
    },
  };
}

export function createAccessTokenSource(
  credentials: Credentials,
  requestToken: () => Promise<IssuedToken>,
  clock: Clock,
  portalUrl: string,
  install = '',
): AccessTokenSource {
  if (credentials.kind === 'permanent_token') return permanentTokenSource(credentials.token);
  const key = createHash('sha256')
    .update([install, portalUrl, credentials.clientId, credentials.clientSecret].join('\u0000'))
    .digest('hex');
  return clientCredentialsSource(requestToken, clock, sharedSlot(clock, key));
}
