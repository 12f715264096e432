import * as sdk from '@zaiusinc/app-sdk';

import { ServedKvStore, ServedStore } from './served-stores';
import type { StoreTransport } from './store-protocol';

/**
 * Makes the SDK's `storage` answer from the parent's store server through `transport`, as OCP's
 * runtime hands each invocation its install's stores. That goes through the SDK's hidden
 * initializeStores (the stand-in has the same); checked, so a SDK without it says so at once.
 * Answers a function that puts back the stores `storage` answered from before.
 */
export function handStoresToSdk(transport: StoreTransport): () => void {
  const { initializeStores } = sdk as unknown as {
    initializeStores?: (
      stores: Record<'settings' | 'secrets' | 'kvStore' | 'sharedKvStore', unknown>,
    ) => void;
  };
  if (typeof initializeStores !== 'function') {
    throw new Error(
      '@zaiusinc/app-sdk has no initializeStores: the local workers cannot hand it their stores',
    );
  }
  const { settings, secrets, kvStore, sharedKvStore } = sdk.storage;
  initializeStores({
    settings: new ServedStore(transport, 'settings'),
    secrets: new ServedStore(transport, 'secrets'),
    kvStore: new ServedKvStore(transport, 'kvStore'),
    sharedKvStore: new ServedKvStore(transport, 'sharedKvStore'),
  });
  return () => initializeStores({ settings, secrets, kvStore, sharedKvStore });
}
