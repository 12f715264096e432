import type { BaseKVStore } from './BaseKVStore';
import type { KVStore } from './KVStore';
import { LocalKVStore } from './LocalKVStore';
import { LocalStore } from './LocalStore';

// The stand-in has no platform context, so the four stores are always the local in-memory ones.
const stores = {
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

export function resetLocalSettingsStore(): void {
  stores.settings.reset();
}

export function resetLocalSecretsStore(): void {
  stores.secrets.reset();
}

export function resetLocalKvStore(): void {
  stores.kvStore.reset();
}

export function resetLocalSharedKvStore(): void {
  stores.sharedKvStore.reset();
}

export function resetLocalStores(): void {
  resetLocalSettingsStore();
  resetLocalSecretsStore();
  resetLocalKvStore();
  resetLocalSharedKvStore();
}
