import type { RequestHandler } from 'express';

import { setContext } from '../request-context';
import { routeKey, UNMATCHED, type RouteTable } from '../route-table';

export interface RequestLogEntry {
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  /** Route template such as 'POST /api/v4/media/:id/', or 'UNMATCHED'. */
  route: string;
  /** The path only: no query string (it may carry secrets), never a header. */
  path: string;
  /** The status sent; 0 when the connection closed without a response (stall, reset). */
  status: number;
  client: string;
  /** The field names of a form-encoded body (a modify's fields), never their values. */
  formKeys?: string[];
  /** 's3' for a request to the S3 stand-in; absent for Bynder's API. */
  host?: 's3';
}

export interface RequestFilter {
  route?: string;
  method?: string;
}

export interface RequestCounts {
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  byRouteAndStatus: Record<string, Record<string, number>>;
}

/** Header that names the client for rate limiting and the log (tests simulate several IPs with it). */
const CLIENT_HEADER = 'x-emulator-client';

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  public add(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  public clear(): void {
    this.entries = [];
  }

  public list(filter: RequestFilter | string = {}): RequestLogEntry[] {
    const { route, method } = typeof filter === 'string' ? { route: filter, method: undefined } : filter;
    return this.entries.filter(
      (entry) =>
        (route === undefined || entry.route === route) && (method === undefined || entry.method === method),
    );
  }

  public counts(): RequestCounts {
    const counts: RequestCounts = { byRoute: {}, byStatus: {}, byRouteAndStatus: {} };
    for (const { route, status } of this.entries) {
      counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
      const perRoute = (counts.byRouteAndStatus[route] ??= {});
      perRoute[status] = (perRoute[status] ?? 0) + 1;
    }
    return counts;
  }
}

/** First in the chain: resolves the route, names the client, and logs the outcome when the request ends. */
export function requestLogMiddleware(
  log: RequestLog,
  table: RouteTable,
  now: () => number,
  host?: 's3',
): RequestHandler {
  return (req, res, next) => {
    const route = table.match(req.method, req.path);
    const client = req.get(CLIENT_HEADER) ?? req.socket.remoteAddress ?? 'unknown';
    const key = route ? routeKey(route) : UNMATCHED;
    setContext(res, { route, routeKey: key, client });
    const at = now();
    let logged = false;
    const record = (status: number): void => {
      if (logged) return;
      logged = true;
      const body: unknown = req.body;
      const formKeys =
        req.is('application/x-www-form-urlencoded') && body !== null && typeof body === 'object'
          ? Object.keys(body)
          : undefined;
      log.add({
        at,
        method: req.method,
        route: key,
        path: req.path,
        status,
        client,
        ...(formKeys ? { formKeys } : {}),
        ...(host ? { host } : {}),
      });
    };
    res.on('finish', () => record(res.statusCode));
    res.on('close', () => record(res.writableFinished ? res.statusCode : 0));
    next();
  };
}
