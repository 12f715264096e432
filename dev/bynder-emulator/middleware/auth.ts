import type { RequestHandler } from 'express';

import { sendEnvelope } from '../envelope';
import { contextOf } from '../request-context';
import type { TokenStore } from '../token-store';

/**
 * Bearer auth for /api routes. Missing, unknown or expired token → 401; a valid token whose
 * grant lacks the route's scope or its user's security role → 403 "Access denied". Bynder leaves
 * open whether a missing scope gives 401 or 403 (Bynder does not document it); the emulator answers 403.
 */
export function authMiddleware(tokens: TokenStore): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith('/api/')) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const grant = match?.[1] ? tokens.lookup(match[1]) : undefined;
    if (!grant) return sendEnvelope(res, 401, 'Unauthorized');
    const context = contextOf(res);
    context.principal = { scopes: grant.scopes, roles: grant.roles };
    const access = context.route?.access;
    if (
      access &&
      (!grant.scopes.has(access.scope) ||
        (access.role !== undefined && !grant.roles.has(access.role)) ||
        (access.anyRole !== undefined && !access.anyRole.some((role) => grant.roles.has(role))))
    ) {
      return sendEnvelope(res, 403, 'Access denied', context.route?.statusAsString === true);
    }
    next();
  };
}
