import type { PatchUpdater, ValueHash } from './values';

/** `storage.settings` and `storage.secrets`: whole objects keyed by name (settings: by form section). */
export interface BaseKVStore<T = ValueHash, R = true> {
  /** The whole object, or only `fields`; `{}` when missing. */
  get<V extends T>(key: string, fields?: string[]): Promise<V>;
  /** Overwrites the whole object. */
  put<V extends T>(key: string, value: V): Promise<R>;
  /** Shallow-merges fields; returns the object from before (`{}` if none). */
  patch<V extends T>(key: string, value: V): Promise<V>;
  /** Applies the updater (it may run more than once); returns the object from before (`{}` if none). */
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- overloads, as in the SDK: one union parameter would not accept the narrower store ports src/lib declares
  patch<V extends T>(key: string, updater: PatchUpdater<V>): Promise<V>;
  /** Deletes the object, or only `fields`. */
  delete(key: string, fields?: string[]): Promise<R>;
  exists(key: string): Promise<boolean>;
}
