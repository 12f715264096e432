import { storage } from '@zaiusinc/app-sdk';

import type { Clock, KeyValueStore } from '../../src/lib/runtime-ports';
import { timerClock } from './fake-clock';

/**
 * The install's kvStore, counting the calls made on it and saying whether one is still under way
 * (for timerClock's `busy`: the real SDK answers a store call on a timer, the stand-in at once).
 */
export function countingStore(): { kvStore: KeyValueStore; calls: () => number; busy: () => boolean } {
  const store = storage.kvStore;
  let calls = 0;
  let inFlight = 0;
  const counted =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls += 1;
      inFlight += 1;
      try {
        return await call(...args);
      } finally {
        inFlight -= 1;
      }
    };
  const kvStore: KeyValueStore = {
    get: counted((key: string, fields?: string[]) => store.get(key, fields)),
    put: counted((key: string, value: Record<string, unknown>, options?: { ttl?: number }) =>
      store.put(key, value as never, options),
    ),
    patch: counted((key: string, value: Parameters<KeyValueStore['patch']>[1]) =>
      store.patch(key, value as never),
    ),
    delete: counted((key: string) => store.delete(key)),
    increment: counted((key: string, field: string, amount?: number) => store.increment(key, field, amount)),
  };
  return { kvStore, calls: () => calls, busy: () => inFlight > 0 };
}

/**
 * Virtual time over the install's counted kvStore: time stands still while a store call is under
 * way, so a store call takes no virtual time whichever SDK serves it.
 */
export function virtualInstall(lateMs?: () => number): ReturnType<typeof countingStore> & { clock: Clock } {
  const store = countingStore();
  return { ...store, clock: timerClock(Date.UTC(2025, 0, 1), lateMs, store.busy) };
}
