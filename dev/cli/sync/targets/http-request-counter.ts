import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

import type { RequestCount } from '../summary/run-summary';

// Counts the HTTP requests sent to one host, through Node's built-in diagnostics channels (emitted
// by node:http/https, which axios uses). The app's BynderClient reports each response to its own
// onResponse hook, which the runner cannot reach from outside; listening here counts every request
// on the wire (token requests and client retries included) without touching the app. Only the
// method, the host and a path template are kept: never a query string or a header. Worker
// processes watch their own channels and forward what they see (workers/worker-main.ts).

const REQUEST_START = 'http.client.request.start';
const RESPONSE_FINISH = 'http.client.response.finish';
/** Bynder v4 ids (8-4-4-16 hex) and other long id-like path segments. */
const ID_SEGMENT =
  /^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4,16}(?:-[0-9A-Fa-f]{12})?|\d+)$/;
/** The one route that changes an asset: a modify (POST, archiving too) or a delete. */
const MEDIA_ROUTE = '/api/v4/media/:id/';

/** One request leaving (`start`) or its answer read (`finish`), as node:http reports it. */
export interface HttpExchange {
  phase: 'start' | 'finish';
  host: string;
  method: string;
  /** The path as a template (`/api/v4/media/:id/`), without the query string. */
  route: string;
  status?: number;
}

export interface HttpRequestCounter {
  /** Counts an exchange seen in another process (a worker's). */
  record(exchange: HttpExchange): void;
  stop(): RequestCount;
}

/** Calls `listener` for every HTTP exchange this process makes; returns the unsubscribe. */
export function watchHttpExchanges(listener: (exchange: HttpExchange) => void): () => void {
  const onStart = (message: unknown) => {
    const request = (message as { request?: ClientRequest }).request;
    if (request) listener({ phase: 'start', ...describe(request) });
  };
  const onFinish = (message: unknown) => {
    const { request, response } = message as { request?: ClientRequest; response?: IncomingMessage };
    if (request) listener({ phase: 'finish', ...describe(request), status: response?.statusCode });
  };
  diagnosticsChannel.subscribe(REQUEST_START, onStart);
  diagnosticsChannel.subscribe(RESPONSE_FINISH, onFinish);
  return () => {
    diagnosticsChannel.unsubscribe(REQUEST_START, onStart);
    diagnosticsChannel.unsubscribe(RESPONSE_FINISH, onFinish);
  };
}

/** A write Bynder accepted: one asset modified, archived or deleted, so one record carried out. */
export function isAcceptedWrite(exchange: HttpExchange): boolean {
  return (
    exchange.phase === 'finish' &&
    (exchange.method === 'POST' || exchange.method === 'DELETE') &&
    exchange.route === MEDIA_ROUTE &&
    exchange.status !== undefined &&
    exchange.status >= 200 &&
    exchange.status < 300
  );
}

/** `hostname`: the portal host without a port, as node:http reports it. */
export function countHttpRequests(hostname: string): HttpRequestCounter {
  const byRoute: Record<string, number> = {};
  let total = 0;
  let rateLimited = 0;
  const record = (exchange: HttpExchange) => {
    if (exchange.host.toLowerCase() !== hostname.toLowerCase()) return;
    if (exchange.phase === 'start') {
      total += 1;
      const route = `${exchange.method} ${exchange.route}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
    } else if (exchange.status === 429) {
      rateLimited += 1;
    }
  };
  const unsubscribe = watchHttpExchanges(record);
  return {
    record,
    stop() {
      unsubscribe();
      return { total, byRoute, rateLimited, countedBy: 'HTTP client (node:http diagnostics channel)' };
    },
  };
}

function describe(request: ClientRequest): Omit<HttpExchange, 'phase'> {
  return { host: request.host ?? '', method: request.method, route: templateOf(request.path) };
}

/** `/api/v4/media/4D5B…/?x=1` -> `/api/v4/media/:id/` */
function templateOf(path: string): string {
  const [pathname = ''] = path.split('?');
  return pathname
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}
