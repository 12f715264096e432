import type { Response } from 'express';

import type { RouteDef } from './route-table';

/** What the middleware chain learns about a request, for the middleware and handlers after it. */
export interface RequestContext {
  route: RouteDef | undefined;
  /** 'POST /api/v4/media/:id/' or 'UNMATCHED'. */
  routeKey: string;
  client: string;
  principal?: { scopes: Set<string>; roles: Set<string> };
}

// A WeakMap instead of res.locals, whose `any` values would defeat type checking.
const contexts = new WeakMap<Response, RequestContext>();

export function setContext(res: Response, context: RequestContext): void {
  contexts.set(res, context);
}

export function contextOf(res: Response): RequestContext {
  const context = contexts.get(res);
  if (!context) throw new Error('emulator: request context missing; request-log middleware must run first');
  return context;
}
