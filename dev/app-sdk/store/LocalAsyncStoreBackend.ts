import type { KVRowOptions } from './values';

/** Thrown by `put` when a compare-and-set value no longer matches (internal, like the SDK's). */
export class CasError extends Error {
  public override name = 'CasError';
}

interface Row<T> {
  cas: number;
  /** Whole seconds since the epoch after which the row is gone. */
  expiresAt?: number;
  value: T;
}

export interface BackendRead<T> {
  cas: number;
  value: T;
  /** Seconds left, when the row has a TTL. */
  ttl?: number;
}

// JSON round trip, as the real backend does: undefined fields vanish, nothing is shared with callers.
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * In-memory rows with a compare-and-set counter and TTLs checked lazily in whole seconds.
 * Every call yields to the event loop once (a microtask, so fake timers cannot stall it),
 * which lets concurrent read-modify-write cycles interleave as they would against a real store.
 */
export class LocalAsyncStoreBackend<T extends object> {
  private readonly rows = new Map<string, Row<T>>();

  /** `now` returns milliseconds since the epoch; tests may pass their own clock. */
  public constructor(private readonly now: () => number = () => Date.now()) {}

  public async get(key: string): Promise<BackendRead<T>> {
    await Promise.resolve();
    const row = this.live(key);
    if (!row) return { cas: 0, value: {} as T };
    return {
      cas: row.cas,
      value: copy(row.value),
      ttl: row.expiresAt === undefined ? undefined : row.expiresAt - this.nowSeconds(),
    };
  }

  /** Writes the row; returns the previous value. Without `ttl` an existing expiry is kept. */
  public async put(key: string, value: T, ttl?: number, cas?: number): Promise<T> {
    await Promise.resolve();
    return this.write(key, value, ttl, cas);
  }

  /**
   * Applies `updater` to the current value without CAS (nothing can interleave). Answers the row
   * after it, with its CAS and TTL, not just the value: the SDK's callers pass that on as is (see
   * `LocalKVStore.incrementMulti`).
   */
  public async atomicPatch(
    key: string,
    updater: (previous: T, options: KVRowOptions) => T,
  ): Promise<BackendRead<T>> {
    await Promise.resolve();
    const row = this.live(key);
    const nowSeconds = this.nowSeconds();
    const options: KVRowOptions = {
      ttl: row?.expiresAt === undefined ? undefined : row.expiresAt - nowSeconds,
    };
    const next = copy(updater(row ? copy(row.value) : ({} as T), options));
    const expiresAt = options.ttl === undefined ? undefined : nowSeconds + options.ttl;
    this.rows.set(key, { cas: row ? row.cas + 1 : 0, expiresAt, value: next });
    return { cas: row ? row.cas + 1 : 0, value: copy(next), ttl: options.ttl };
  }

  /** Removes the row; returns its value (`{}` if none). */
  public async delete(key: string): Promise<T> {
    await Promise.resolve();
    const row = this.live(key);
    this.rows.delete(key);
    return row ? copy(row.value) : ({} as T);
  }

  public async exists(key: string): Promise<boolean> {
    await Promise.resolve();
    return this.live(key) !== undefined;
  }

  public reset(): void {
    this.rows.clear();
  }

  /**
   * As the SDK's local backend does, a missing row is created without a CAS check and starts at the
   * CAS its writer read (0 for a missing row), so a second writer that also read "missing" passes
   * its check and overwrites the first: concurrent first writes of a key lose all but the last.
   */
  private write(key: string, value: T, ttl?: number, cas?: number): T {
    const row = this.live(key);
    if (!row) {
      const expiry = ttl === undefined ? undefined : this.nowSeconds() + ttl;
      this.rows.set(key, { cas: cas ?? 0, expiresAt: expiry, value: copy(value) });
      return {} as T;
    }
    if (cas !== undefined && cas !== row.cas) throw new CasError(`CAS mismatch on key ${key}`);
    const expiresAt = ttl === undefined ? row.expiresAt : this.nowSeconds() + ttl;
    this.rows.set(key, { cas: row.cas + 1, expiresAt, value: copy(value) });
    return copy(row.value);
  }

  private live(key: string): Row<T> | undefined {
    const row = this.rows.get(key);
    // Gone once the whole second of expiry has passed (as in the SDK's local backend), not at it.
    if (row?.expiresAt !== undefined && this.nowSeconds() > row.expiresAt) {
      this.rows.delete(key);
      return undefined;
    }
    return row;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
