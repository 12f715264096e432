import { CasError, LocalAsyncStoreBackend } from '../../../app-sdk/store/LocalAsyncStoreBackend';
import type { StoreAnswer, StoreName, StoreRequest } from './store-protocol';

// The install's four stores, held by the parent process: in-memory rows with a compare-and-set
// counter and TTLs in seconds (the SDK's local backend). Every operation is counted, per store, so
// the bench can report kvStore operations per request.

export interface StoreServer {
  handle(request: StoreRequest): Promise<StoreAnswer>;
  /** Operations served so far, per store. */
  readonly operations: Record<StoreName, number>;
  /** kvStore operations served so far, per row key. */
  readonly kvOperationsByKey: Map<string, number>;
  /** Of those, the writes (put, increment, delete), per row key. */
  readonly kvWritesByKey: Map<string, number>;
}

export function createStoreServer(): StoreServer {
  const backends: Record<StoreName, LocalAsyncStoreBackend<Record<string, unknown>>> = {
    settings: new LocalAsyncStoreBackend(),
    secrets: new LocalAsyncStoreBackend(),
    kvStore: new LocalAsyncStoreBackend(),
    sharedKvStore: new LocalAsyncStoreBackend(),
  };
  const operations: Record<StoreName, number> = { settings: 0, secrets: 0, kvStore: 0, sharedKvStore: 0 };
  const kvOperationsByKey = new Map<string, number>();
  const kvWritesByKey = new Map<string, number>();
  return {
    operations,
    kvOperationsByKey,
    kvWritesByKey,
    async handle(request) {
      operations[request.store] += 1;
      if (request.store === 'kvStore') {
        kvOperationsByKey.set(request.key, (kvOperationsByKey.get(request.key) ?? 0) + 1);
        if (request.op !== 'get' && request.op !== 'exists') {
          kvWritesByKey.set(request.key, (kvWritesByKey.get(request.key) ?? 0) + 1);
        }
      }
      const backend = backends[request.store];
      try {
        switch (request.op) {
          case 'get': {
            const read = await backend.get(request.key);
            return { ok: true, cas: read.cas, value: read.value, ttl: read.ttl };
          }
          case 'put':
            return {
              ok: true,
              value: await backend.put(request.key, request.value, request.ttl, request.cas),
            };
          case 'increment': {
            const after = await backend.atomicPatch(request.key, (row, rowOptions) => {
              for (const [field, amount] of Object.entries(request.amounts)) {
                const current = row[field] ?? 0;
                if (typeof current !== 'number') {
                  throw new Error(`Cannot increment non-numeric value at ${request.key}.${field}`);
                }
                row[field] = current + amount;
              }
              if (request.ttl !== undefined) rowOptions.ttl = request.ttl;
              return row;
            });
            return { ok: true, value: after.value };
          }
          case 'delete':
            return { ok: true, value: await backend.delete(request.key) };
          case 'exists':
            return { ok: true, exists: await backend.exists(request.key) };
        }
      } catch (error) {
        return {
          ok: false,
          casMismatch: error instanceof CasError,
          message: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}
