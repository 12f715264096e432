import { handStoresToSdk } from './sdk-stores';
import { createStoreServer, type StoreServer } from './store-server';
import type { StoreTransport } from './store-protocol';
import { startWorkerPool, type WorkerPool, type WorkerPoolOptions } from './worker-pool';

export interface LocalOcp {
  server: StoreServer;
  pool: WorkerPool;
  /** Stops the workers and gives the SDK back the stores it had before. */
  close(): Promise<void>;
}

/**
 * A local OCP: the install's stores, served by this process, and N worker processes delivering
 * batches. This process uses the same served stores (settings form, ready(), the runner's reads),
 * so what the workers write is what the runner sees, as on OCP.
 */
export function startLocalOcp(
  workers: number,
  options: Omit<WorkerPoolOptions, 'size' | 'server'> = {},
): LocalOcp {
  const server = createStoreServer();
  const direct: StoreTransport = (request) => server.handle(request);
  const restoreStores = handStoresToSdk(direct);
  const pool = startWorkerPool({ size: workers, server, ...options });
  return {
    server,
    pool,
    close: async () => {
      await pool.close();
      restoreStores();
    },
  };
}
