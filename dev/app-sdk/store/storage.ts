import type { BaseKVStore } from './BaseKVStore';
import type { KVStore } from './KVStore';
import { LocalKVStore } from './LocalKVStore';
import { LocalStore } from './LocalStore';

// The stand-in has no platform context: the stores are the local in-memory ones, unless
// initializeStores (hidden in the SDK too) replaced them, as the local runner's workers do.
const stores: { settings: BaseKVStore; secrets: BaseKVStore; kvStore: KVStore; sharedKvStore: KVStore } = {
  settings: new LocalStore(),
  secrets: new LocalStore(),
  kvStore: new LocalKVStore(),
  sharedKvStore: new LocalKVStore(),
};

export interface Storage {
  readonly settings: BaseKVStore;
  readonly secrets: BaseKVStore;
  readonly kvStore: KVStore;
  readonly sharedKvStore: KVStore;
}

/** Getters, as in the SDK, which resolves the current invocation's stores on every access. */
export const storage: Storage = {
  get settings() {
    return stores.settings;
  },
  get secrets() {
    return stores.secrets;
  },
  get kvStore() {
    return stores.kvStore;
  },
  get sharedKvStore() {
    return stores.sharedKvStore;
  },
};

export interface InitialStores {
  settings: BaseKVStore;
  secrets: BaseKVStore;
  kvStore: KVStore;
  sharedKvStore: KVStore;
}

/** @hidden As in the SDK: the stores `storage` answers from now on, outside an invocation context. */
export function initializeStores(initial: InitialStores): void {
  Object.assign(stores, initial);
}

function resetLocal(store: BaseKVStore | KVStore): void {
  if (!(store instanceof LocalStore || store instanceof LocalKVStore)) {
    throw new Error('Attempting to reset non-local store');
  }
  store.reset();
}

export function resetLocalSettingsStore(): void {
  resetLocal(stores.settings);
}

export function resetLocalSecretsStore(): void {
  resetLocal(stores.secrets);
}

export function resetLocalKvStore(): void {
  resetLocal(stores.kvStore);
}

export function resetLocalSharedKvStore(): void {
  resetLocal(stores.sharedKvStore);
}

export function resetLocalStores(): void {
  resetLocalSettingsStore();
  resetLocalSecretsStore();
  resetLocalKvStore();
  resetLocalSharedKvStore();
}
