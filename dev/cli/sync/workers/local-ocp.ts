import { initializeStores } from '@zaiusinc/app-sdk';

import { ServedKvStore, ServedStore } from './served-stores';
import { createStoreServer, type StoreServer } from './store-server';
import type { StoreTransport } from './store-protocol';
import { startWorkerPool, type WorkerPool } from './worker-pool';

/**
 * A local OCP: the install's stores, served by this process, and N worker processes delivering
 * batches. This process uses the same served stores (settings form, ready(), the runner's reads),
 * so what the workers write is what the runner sees, as on OCP.
 */
export function startLocalOcp(
  workers: number,
  options: { perProcessPacing?: boolean } = {},
): { server: StoreServer; pool: WorkerPool } {
  const server = createStoreServer();
  const direct: StoreTransport = (request) => server.handle(request);
  initializeStores({
    settings: new ServedStore(direct, 'settings'),
    secrets: new ServedStore(direct, 'secrets'),
    kvStore: new ServedKvStore(direct, 'kvStore'),
    sharedKvStore: new ServedKvStore(direct, 'sharedKvStore'),
  });
  const pool = startWorkerPool({ size: workers, server, perProcessPacing: options.perProcessPacing });
  return { server, pool };
}
