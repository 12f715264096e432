import type { KVHash, KVPatchUpdater, KVRowOptions } from './values';

/** `storage.kvStore` (per install) and `storage.sharedKvStore` (across installs). TTLs are in seconds. */
export interface KVStore {
  get<T extends KVHash>(key: string, fields?: string[]): Promise<T>;
  /** Overwrites the object; returns the previous one. Without a ttl an existing expiry is kept. */
  put<T extends KVHash>(key: string, value: T, options?: KVRowOptions): Promise<T>;
  /** Shallow-merges fields; returns the previous object. */
  patch<T extends KVHash>(key: string, value: T, options?: KVRowOptions): Promise<T>;
  /** Applies the updater, which owns the TTL (`options` is ignored); returns the previous object. */
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- overloads, as in the SDK: one union parameter would not accept the narrower store ports src/lib declares
  patch<T extends KVHash>(key: string, updater: KVPatchUpdater<T>, options?: KVRowOptions): Promise<T>;
  /** Deletes the object (or only `fields`); returns what was deleted, `{}` if nothing. */
  delete<T extends KVHash>(key: string, fields?: string[]): Promise<T>;
  exists(key: string): Promise<boolean>;
  /** A missing field starts at `amount`; a non-numeric one is an error. */
  increment(key: string, field: string, amount?: number, options?: KVRowOptions): Promise<number>;
  incrementMulti(
    key: string,
    fieldAmounts: { [field: string]: number },
    options?: KVRowOptions,
  ): Promise<{ [field: string]: number }>;
}
