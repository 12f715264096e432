import { initializeStores } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../../../src/destinations/BynderAssetSync';
import type { AssetItem } from '../../../../src/lib/delivery';
import { KV_ROWS } from '../../../../src/lib/kv-rows';
import { createStoreServer } from './store-server';
import { ServedKvStore, ServedStore } from './served-stores';
import type { FromWorker, StoreAnswer, StoreRequest, StoreTransport, ToWorker } from './store-protocol';

// One OCP worker: its own process, module state and pacing, running the app's real deliver() for
// each batch the parent hands it. Its stores are the parent's, reached over IPC; nothing else is
// shared. With PER_PROCESS_PACING=1 the budget's row stays in this process (today's pacing before
// the install-wide budget, for the bench's side-by-side), everything else still goes to the parent.

const send = (message: FromWorker): void => {
  // After the parent let go (end of run), a late timer's store call has no one to answer it.
  if (process.connected) process.send?.(message);
};
const waiting = new Map<number, (answer: StoreAnswer) => void>();
let nextId = 0;
const ipc: StoreTransport = (request: StoreRequest) =>
  new Promise((resolve) => {
    nextId += 1;
    waiting.set(nextId, resolve);
    send({ type: 'store', id: nextId, request });
  });

const ownRows = createStoreServer();
const budgetKey = KV_ROWS.requestBudget.key;
const transport: StoreTransport =
  process.env.PER_PROCESS_PACING === '1'
    ? (request) => (request.key === budgetKey ? ownRows.handle(request) : ipc(request))
    : ipc;

initializeStores({
  settings: new ServedStore(transport, 'settings'),
  secrets: new ServedStore(transport, 'secrets'),
  kvStore: new ServedKvStore(transport, 'kvStore'),
  sharedKvStore: new ServedKvStore(transport, 'sharedKvStore'),
});

const destination = new BynderAssetSync();

process.on('message', (message: ToWorker) => {
  if (message.type === 'store-answer') {
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message.answer);
    return;
  }
  const batch = { ...message.batch, items: message.batch.items as AssetItem[] };
  void destination
    .deliver(batch)
    .catch((error: unknown) => ({
      success: false,
      retryable: true,
      failureReason: `deliver() threw ${error instanceof Error ? error.message : String(error)}`,
    }))
    .then((result) =>
      send({ type: 'delivered', id: message.id, result, maxRssKb: process.resourceUsage().maxRSS }),
    );
});

// The parent going away ends the worker (OCP stops its workers with the run).
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
