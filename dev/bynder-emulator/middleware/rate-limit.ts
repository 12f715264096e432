import type { RequestHandler } from 'express';

import { contextOf } from '../request-context';
import type { EmulatorSettings, RateLimitSettings } from '../runtime-settings';

interface ClientWindow {
  /** Arrival times inside the current window, oldest first. */
  hits: number[];
  blocked: boolean;
  lastSeen: number;
}

/**
 * Bynder's WAF rule (https://api.bynder.com/docs/getting-started): a sliding window per client; over the limit, the client is
 * blocked, and the block lifts only once `quietMs` pass with no request from it (every request
 * during the block restarts that wait).
 */
export class RateLimiter {
  private readonly clients = new Map<string, ClientWindow>();

  /** Records a request; false when it must be refused. */
  public admit(client: string, now: number, limits: RateLimitSettings): boolean {
    const window = this.clients.get(client) ?? { hits: [], blocked: false, lastSeen: now };
    this.clients.set(client, window);
    if (window.blocked && now - window.lastSeen >= limits.quietMs) {
      window.blocked = false;
      window.hits = [];
    }
    window.lastSeen = now;
    if (window.blocked) return false;
    while (window.hits.length > 0 && window.hits[0]! <= now - limits.windowMs) window.hits.shift();
    if (window.hits.length >= limits.limit) {
      window.blocked = true;
      return false;
    }
    window.hits.push(now);
    return true;
  }

  public reset(): void {
    this.clients.clear();
  }
}

export function rateLimitMiddleware(
  limiter: RateLimiter,
  settings: EmulatorSettings,
  now: () => number,
): RequestHandler {
  return (_req, res, next) => {
    if (settings.rateLimit === false) return next();
    if (limiter.admit(contextOf(res).client, now(), settings.rateLimit)) return next();
    // The WAF's 429 carries no Retry-After and no rate-limit headers; its body is undocumented
    // (https://api.bynder.com/docs/getting-started), so the emulator sends a short plain-text body a client cannot parse as JSON.
    res.status(429).type('text/plain').send('Too Many Requests');
  };
}
