import type { RequestHandler } from 'express';

// The page's server answers only its own page. It listens on loopback, but a loopback port is
// reachable from any web page the browser has open: by DNS rebinding (a foreign name that resolves to
// 127.0.0.1, so the request carries that name as its Host) a page can read the answers, and without
// rebinding it can still send "simple" cross-site requests (a form POST, text/plain) whose answers it
// cannot read but whose effects happen. So every request must name one of the page's own hosts, and
// every request that changes something must come from the page's own origin.
// See https://developer.mozilla.org/en-US/docs/Web/Security/Attacks/DNS_rebinding and
// https://fetch.spec.whatwg.org/#origin-header (browsers send Origin on every POST, PUT and DELETE).

/** The names the page is served under: the loopback addresses and localhost, each with the port. */
export function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses a request whose Host is not one of the page's own (421 Misdirected Request), and a
 * state-changing request whose Origin is not the page's own origin, or is missing (403).
 * `port()` is read per request: the port is known once the server listens.
 */
export function ownOriginOnly(port: () => number): RequestHandler {
  return (req, res, next) => {
    const host = (req.headers.host ?? '').toLowerCase();
    const hosts = ownHosts(port());
    if (!hosts.includes(host)) {
      res.status(421).json({
        error:
          `this server answers only its own page (${hosts.map((h) => `http://${h}/`).join(', ')}), ` +
          `not a request for host "${req.headers.host ?? ''}"; open one of those addresses`,
      });
      return;
    }
    if (!STATE_CHANGING.has(req.method)) {
      next();
      return;
    }
    const origin = req.headers.origin;
    if (origin !== `http://${host}`) {
      res.status(403).json({
        error:
          origin === undefined
            ? `${req.method} ${req.path} carries no Origin header; only the page at http://${host}/ may change anything`
            : `${req.method} ${req.path} comes from ${origin}; only the page at http://${host}/ may change anything`,
      });
      return;
    }
    next();
  };
}

/**
 * Refuses a body that is not declared JSON (415). Without it, express.json() leaves the body unparsed,
 * and a route reading "no body" as "all defaults" would act on a request it never understood.
 */
export const jsonOnly: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) {
    res.status(415).json({
      error: `${req.method} ${req.path} takes a JSON body: send it with Content-Type: application/json (got ${
        req.headers['content-type'] === undefined ? 'none' : `"${req.headers['content-type']}"`
      })`,
    });
    return;
  }
  next();
};
