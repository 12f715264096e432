import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** A plain HTTP server for the calling test file, on 127.0.0.1 and a free port. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`; readable once the file's tests run. */
  readonly url: string;
}

/**
 * Starts `handler` as a server before the file's tests and stops it after them (open keep-alive
 * sockets included, so a handler that never answers cannot hold the file open). For answers the
 * emulator never gives, because it answers like Bynder.
 */
export function useLoopbackServer(handler: http.RequestListener): LoopbackServer {
  let server: http.Server | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    const started = http.createServer(handler);
    await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
    server = started;
    url = `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const stopping = server;
    server = undefined;
    if (!stopping) return;
    stopping.closeAllConnections();
    await new Promise<void>((resolve) => stopping.close(() => resolve()));
  });
  return {
    get url(): string {
      if (url === undefined) {
        throw new Error('the loopback server is read outside a test: it starts in beforeAll');
      }
      return url;
    },
  };
}
