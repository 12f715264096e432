import type { Request, Response } from 'express';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** What a route needs from the token (OAuth scopes and the user's security roles: https://api.bynder.com/docs/getting-started). */
export interface RouteAccess {
  scope: string;
  role?: string;
  /** Any one of these roles will do (the upload routes take MEDIAUPLOAD or MEDIAUPLOADFORAPPROVAL). */
  anyRole?: string[];
}

/** One endpoint: method, template (Bynder's trailing-slash form), access rule and handler. */
export interface RouteDef {
  method: HttpMethod;
  /** e.g. '/api/v4/media/:id/'; matched with or without the trailing slash. */
  template: string;
  access?: RouteAccess;
  /**
   * Bynder's OpenAPI gives this route's error bodies (403, 404) a string `statuscode` ("404"); the
   * auth middleware's 403 follows it so a client sees one form per route, as on Bynder.
   */
  statusAsString?: boolean;
  handle: (req: Request, res: Response) => void | Promise<void>;
}

/** 'POST /api/v4/media/:id/', the form used by the request log and fault rules. */
export function routeKey(route: Pick<RouteDef, 'method' | 'template'>): string {
  return `${route.method} ${route.template}`;
}

export const UNMATCHED = 'UNMATCHED';

/** A path pattern ('/api/v4/media/:id/', '*' for any run) as a regex, trailing slash optional. */
export function patternToRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment
            .split('*')
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*'),
    )
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/** Finds the route for a request before Express routes it (faults and the log need it first). */
export class RouteTable {
  private readonly compiled: Array<{ route: RouteDef; regex: RegExp }>;

  public constructor(public readonly routes: RouteDef[]) {
    this.compiled = routes.map((route) => ({ route, regex: patternToRegex(route.template) }));
  }

  public match(method: string, path: string): RouteDef | undefined {
    return this.compiled.find(({ route, regex }) => route.method === method && regex.test(path))?.route;
  }
}

/** Express 5 path for a template; the router is non-strict, so '/x' also answers '/x/'. */
export function expressPath(template: string): string {
  return template.replace(/\/+$/, '') || '/';
}
