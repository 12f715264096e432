import type { IncomingMessage, ServerResponse } from 'node:http';

import type { CapturedRequest } from './bynder-openapi';
import { type LoopbackServer, useLoopbackServer } from './loopback-server';

/** One request as sent, and the answer the target gave (once it came). */
export interface CapturedExchange extends CapturedRequest {
  answer?: { status: number; contentType: string | undefined; body: string };
}

/** A loopback server that records each request whole (query and body included) and forwards it. */
export interface CapturingProxy extends LoopbackServer {
  /** Every exchange so far, in arrival order. */
  readonly captured: CapturedExchange[];
}

/** Headers passed on to the target: what the client sends that the answer may depend on. */
const FORWARDED = ['authorization', 'content-type', 'accept', 'user-agent'];

/**
 * For the calling test file: requests to this server are recorded, then forwarded to `target()`
 * (e.g. the emulator's URL) and answered with its answer. The emulator's own request log keeps
 * neither the query nor form values, since they may hold secrets; a contract check needs both.
 */
export function useCapturingProxy(target: () => string): CapturingProxy {
  const captured: CapturedExchange[] = [];
  const server = useLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://capture');
      const exchange: CapturedExchange = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        body,
      };
      captured.push(exchange);
      const headers: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      fetch(`${target()}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body !== '' ? { body } : {}),
      })
        .then(async (answer) => {
          const text = await answer.text();
          const type = answer.headers.get('content-type');
          exchange.answer = { status: answer.status, contentType: type ?? undefined, body: text };
          res.writeHead(answer.status, type ? { 'content-type': type } : {});
          res.end(text);
        })
        .catch((error: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`capturing proxy: ${String(error)}`);
        });
    });
  });
  return {
    captured,
    get url(): string {
      return server.url;
    },
  };
}
