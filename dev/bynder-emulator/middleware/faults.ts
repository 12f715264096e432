import type { Request, RequestHandler, Response } from 'express';

import type { Delays } from '../delays';
import { sendEnvelope, statusMessage } from '../envelope';
import { patternToRegex } from '../route-table';
import { s3ErrorCode, sendS3Error } from '../s3-xml';
import type { EmulatorSettings } from '../runtime-settings';

/** A fault is data: which requests it hits, how often, and what happens to them. */
export interface FaultRule {
  /** 'METHOD /path/:pattern/', a route template, or a path alone (any method); absent = every request. */
  match?: string;
  /** Answer with this status and a v4 envelope (typically 500/502/503/504; 429 works too). */
  status?: number;
  /** With `status`: this text as the envelope's message instead of the status text (a server that echoes what it was sent). */
  message?: string;
  /** Fraction 0..1 of matching requests hit (random); absent = all of them. */
  rate?: number;
  /** Hit this many matching requests, then the rule is spent. */
  times?: number;
  /** Added latency before the answer (or before the normal handling when nothing else is set). */
  delayMs?: number;
  /** Never answer: the socket stays open until the client gives up or the emulator stops. */
  stall?: boolean;
  /** With `stall`: close the socket after this long, still unanswered, as an idle-timeout proxy does. */
  stallMs?: number;
  /** Destroy the socket without an answer (a connection reset). */
  reset?: boolean;
  /**
   * Strike after the route has run: the request takes effect (a chunk stored, an asset saved) but
   * its answer is replaced by the fault, so a client cannot tell whether it happened.
   */
  afterHandling?: boolean;
  /** Which server: 'bynder' (the API) or 's3' (the S3 stand-in); absent = both. */
  host?: FaultHost;
}

/** The emulator's two servers: Bynder's API and the S3 stand-in the upload flow sends chunks to. */
export type FaultHost = 'bynder' | 's3';

interface ActiveRule {
  rule: FaultRule;
  method: string | undefined;
  regex: RegExp | undefined;
  remaining: number | undefined;
}

export class FaultList {
  private rules: ActiveRule[] = [];

  public constructor(private readonly random: () => number = Math.random) {}

  public add(rule: FaultRule): void {
    const [first, second] = (rule.match ?? '').trim().split(/\s+/);
    const method = second !== undefined ? first?.toUpperCase() : undefined;
    const pattern = second ?? first;
    this.rules.push({
      rule,
      method: method === '*' ? undefined : method,
      regex: pattern ? patternToRegex(pattern) : undefined,
      remaining: rule.times,
    });
  }

  public clear(): void {
    this.rules = [];
  }

  public list(): FaultRule[] {
    return this.rules.map(({ rule, remaining }) => ({
      ...rule,
      ...(remaining !== undefined ? { times: remaining } : {}),
    }));
  }

  /** The first rule that hits this request (counting it against `times`), if any. */
  public take(method: string, path: string, host: FaultHost = 'bynder'): FaultRule | undefined {
    for (const active of this.rules) {
      if (active.rule.host !== undefined && active.rule.host !== host) continue;
      if (active.method !== undefined && active.method !== method) continue;
      if (active.regex && !active.regex.test(path)) continue;
      if (active.remaining !== undefined && active.remaining <= 0) continue;
      if (active.rule.rate !== undefined && this.random() >= active.rule.rate) continue;
      if (active.remaining !== undefined) active.remaining -= 1;
      this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
      return active.rule;
    }
    return undefined;
  }
}

/** Global latency first, then the first matching fault rule. */
export function faultsMiddleware(
  faults: FaultList,
  settings: EmulatorSettings,
  delays: Delays,
  random: () => number = Math.random,
  host: FaultHost = 'bynder',
): RequestHandler {
  return async (req, res, next) => {
    const { ms, jitterMs } = settings.latency;
    if (ms > 0 || jitterMs > 0) await delays.wait(ms + random() * jitterMs);
    const rule = faults.take(req.method, req.path, host);
    if (!rule) return next();
    if (!rule.afterHandling) return strike(rule, req, res, host, delays, next);
    // The route runs and changes the portal; its answer is then held back and the fault strikes
    // instead, as when a gateway times out or a connection drops after the backend did the work.
    const end = res.end.bind(res);
    const intercept = (): typeof res => {
      res.end = end;
      void strike(rule, req, res, host, delays, () => void end());
      return res;
    };
    res.end = intercept as typeof res.end;
    next();
  };
}

async function strike(
  rule: FaultRule,
  req: Request,
  res: Response,
  host: FaultHost,
  delays: Delays,
  proceed: () => void,
): Promise<void> {
  if (rule.delayMs) await delays.wait(rule.delayMs);
  // resetAndDestroy sends a TCP RST, so the client sees ECONNRESET rather than a clean close.
  if (rule.reset) return void req.socket.resetAndDestroy();
  // Stalled: no answer at all. stop() closes every connection, so this never blocks shutdown.
  if (rule.stall) {
    if (rule.stallMs !== undefined) delays.schedule(rule.stallMs, () => req.socket.destroy());
    return;
  }
  if (rule.status !== undefined) {
    const message = rule.message ?? statusMessage(rule.status);
    res.removeHeader('ETag');
    // S3 answers its errors in XML, never in Bynder's envelope.
    if (host === 's3') return sendS3Error(res, rule.status, s3ErrorCode(rule.status), message);
    return sendEnvelope(res, rule.status, message);
  }
  proceed();
}
