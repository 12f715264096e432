import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

import type { RequestCount } from '../summary/run-summary';

// Counts the HTTP requests this process sends to one host, through Node's built-in diagnostics
// channels (emitted by node:http/https, which axios uses). The app's BynderClient reports each
// response to its own onResponse hook, which the runner cannot reach from outside; listening here
// counts every request on the wire (token requests and client retries included) without touching
// the app. Only the method and a path template are kept: never a query string or a header.

const REQUEST_START = 'http.client.request.start';
const RESPONSE_FINISH = 'http.client.response.finish';
/** Bynder v4 ids (8-4-4-16 hex) and other long id-like path segments. */
const ID_SEGMENT =
  /^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4,16}(?:-[0-9A-Fa-f]{12})?|\d+)$/;

export interface HttpRequestCounter {
  stop(): RequestCount;
}

/** `hostname`: the portal host without a port, as node:http reports it. */
export function countHttpRequests(hostname: string): HttpRequestCounter {
  const byRoute: Record<string, number> = {};
  let total = 0;
  let rateLimited = 0;
  const onStart = (message: unknown) => {
    const request = (message as { request?: ClientRequest }).request;
    if (!request || !sameHost(request.host, hostname)) return;
    total += 1;
    const route = `${request.method} ${templateOf(request.path)}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  };
  const onFinish = (message: unknown) => {
    const { request, response } = message as { request?: ClientRequest; response?: IncomingMessage };
    if (request && sameHost(request.host, hostname) && response?.statusCode === 429) rateLimited += 1;
  };
  diagnosticsChannel.subscribe(REQUEST_START, onStart);
  diagnosticsChannel.subscribe(RESPONSE_FINISH, onFinish);
  return {
    stop() {
      diagnosticsChannel.unsubscribe(REQUEST_START, onStart);
      diagnosticsChannel.unsubscribe(RESPONSE_FINISH, onFinish);
      return { total, byRoute, rateLimited, countedBy: 'HTTP client (node:http diagnostics channel)' };
    },
  };
}

/** `/api/v4/media/4D5B…/?x=1` -> `/api/v4/media/:id/` */
function templateOf(path: string): string {
  const [pathname = ''] = path.split('?');
  return pathname
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}

function sameHost(requestHost: string | undefined, host: string): boolean {
  return (requestHost ?? '').toLowerCase() === host.toLowerCase();
}
