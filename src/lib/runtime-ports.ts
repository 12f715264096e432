// What src/lib needs from its host, as plain interfaces. The OCP entry points pass the SDK's
// storage and logger (structurally compatible); tests and the local CLI pass their own.

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A row is a flat object of JSON-like values, as the SDK's stores keep them. */
export type StoredRow = Record<string, unknown>;

/** The subset of the SDK's `storage.kvStore` that src/lib uses. TTL is in seconds. */
export interface KeyValueStore {
  /** The row (`{}` when absent or expired); with `fields`, only those fields (a smaller read). */
  get(key: string, fields?: string[]): Promise<StoredRow>;
  put(key: string, value: StoredRow, options?: { ttl?: number }): Promise<unknown>;
  /**
   * With an updater, the store ignores `options`: the updater sets the TTL through the `options` it
   * is given (`options.ttl = seconds`), as the SDK's KVStore does.
   */
  patch(
    key: string,
    // An updater sets the TTL through `options.ttl`: the SDK ignores patch's own options then.
    value: StoredRow | ((previous: StoredRow, options: { ttl?: number }) => StoredRow),
    options?: { ttl?: number },
  ): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** The subset of the SDK's `storage.settings` / `storage.secrets` that src/lib uses. */
export interface SettingsStore {
  get(key: string): Promise<StoredRow>;
  put(key: string, value: StoredRow): Promise<unknown>;
  patch(key: string, value: StoredRow): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
