// Value shapes the stores accept. Rows travel through JSON, so only JSON-like values survive.

export type Value = string | number | boolean | null | ValueHash;

export interface ValueHash {
  [field: string]: Value | Value[] | undefined;
}

export type KVValue = Value;

export interface KVHash {
  [field: string]: KVValue | KVValue[] | undefined;
}

export interface KVRowOptions {
  /** Seconds until the row expires; undefined for no TTL. */
  ttl?: number;
}

/** Receives the previous object and returns the next one. May run more than once. */
export type PatchUpdater<T> = (previous: T) => T;

/** Like PatchUpdater, also given the row's options: mutating `options.ttl` changes the TTL. */
type KVPatchUpdaterWithOptions<T> = (previous: T, options: KVRowOptions) => T;

/**
 * A union of the two signatures, as in the SDK. So an inline updater passed to `patch` gets no
 * contextual type: its parameter must be annotated (`(previous: KVHash) => ...`), here as there.
 */
export type KVPatchUpdater<T = KVHash> = PatchUpdater<T> | KVPatchUpdaterWithOptions<T>;
