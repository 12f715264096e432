import type { LookupFunction } from 'node:net';

import type { Credentials } from '../config';
import type { PortalOrigin } from '../portal-url';
import type { Clock, InstallScope, Logger } from '../runtime-ports';

export interface ResponseInfo {
  method: string;
  /** Route template, e.g. `POST /api/v4/media/{id}/`. */
  route: string;
  /** undefined when no HTTP answer arrived (timeout, reset). */
  status: number | undefined;
  ms: number;
}

/**
 * The end of the caller's time budget: no HTTP attempt (or retry) starts that cannot finish before
 * it, and attempts in flight when it ends are cut. Both end in BynderDeadlineError.
 */
export interface RequestDeadline {
  /** Aborts when the budget has run out. */
  readonly signal: AbortSignal;
  /** Whether an attempt starting `waitMs` from now can still finish in time. */
  allowsStart(waitMs?: number): boolean;
}

/** `install` keys the issued OAuth tokens this process keeps (access-token.ts). */
export interface BynderClientOptions extends InstallScope {
  /** Portal origin, as `parsePortalUrl` returns it (https; http on loopback only). */
  portalUrl: PortalOrigin;
  credentials: Credentials;
  logger: Logger;
  clock?: Clock;
  /** Per attempt; a stalled answer ends as BynderUnavailableError "timed out". */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx, timeouts and resets only. */
  retries?: number;
  /** Awaited before every HTTP attempt (retries and token requests included): the request budget. */
  beforeRequest?: () => Promise<void>;
  /** The caller's time budget; without one, only `timeoutMs` and `retries` bound a request. */
  deadline?: RequestDeadline;
  /**
   * Called after every attempt, answered or not, and awaited before the answer is handled: a 429
   * reaches the caller only once the hook (which stores the rate-limit block) has finished.
   */
  onResponse?: (info: ResponseInfo) => unknown;
  /** [0, 1) source for backoff jitter. */
  random?: () => number;
  /**
   * Resolves the portal's host name (default dns.lookup). Whatever it answers passes the address guard
   * (src/lib/net/address-guard.ts) before a socket connects; tests inject a stub here instead of using DNS.
   */
  lookup?: LookupFunction;
}
