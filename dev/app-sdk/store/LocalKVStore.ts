import { pickFields, retryOnCasConflict } from './compare-and-set';
import type { KVStore } from './KVStore';
import { LocalAsyncStoreBackend } from './LocalAsyncStoreBackend';
import type { KVHash, KVPatchUpdater, KVRowOptions } from './values';

/** The local kvStore / sharedKvStore over the in-memory backend (TTLs in whole seconds). */
export class LocalKVStore implements KVStore {
  public constructor(private readonly backend = new LocalAsyncStoreBackend<KVHash>()) {}

  public async get<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    const { value } = await this.backend.get(key);
    return (fields ? pickFields(value, fields) : value) as T;
  }

  public async put<T extends KVHash>(key: string, value: T, options?: KVRowOptions): Promise<T> {
    return (await this.backend.put(key, value, options?.ttl)) as T;
  }

  public async patch<T extends KVHash>(
    key: string,
    value: T | KVPatchUpdater<T>,
    options?: KVRowOptions,
  ): Promise<T> {
    return retryOnCasConflict(key, async () => {
      const read = await this.backend.get(key);
      const before = read.value as T;
      let next: T;
      let ttl = options?.ttl;
      if (typeof value === 'function') {
        // The updater owns the TTL: it sees the current one and may change it.
        const rowOptions: KVRowOptions = { ttl: read.ttl };
        next = value(structuredClone(before), rowOptions);
        ttl = rowOptions.ttl;
      } else {
        next = { ...before, ...value };
      }
      await this.backend.put(key, next, ttl, read.cas);
      return before;
    });
  }

  public async delete<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    if (!fields) return (await this.backend.delete(key)) as T;
    return retryOnCasConflict(key, async () => {
      const { cas, value } = await this.backend.get(key);
      const deleted = pickFields(
        value,
        fields.filter((field) => field in value),
      );
      for (const field of fields) delete value[field];
      await this.backend.put(key, value, undefined, cas);
      return deleted as T;
    });
  }

  public exists(key: string): Promise<boolean> {
    return this.backend.exists(key);
  }

  /**
   * Reproduces the SDK's local store on purpose: it ignores `options.ttl` and answers the value
   * found under the *key* instead of the field (so usually undefined). The platform's store does
   * not, but tests run against the local one, so code must not rely on this return value.
   */
  public async increment(key: string, field: string, amount = 1, _options?: KVRowOptions): Promise<number> {
    const after = await this.backend.atomicPatch(key, (previous) =>
      addAmounts(key, previous, { [field]: amount }),
    );
    return after[key] as number;
  }

  /** Ignores `options.ttl`, as the SDK's local store does. */
  public async incrementMulti(
    key: string,
    fieldAmounts: { [field: string]: number },
    _options?: KVRowOptions,
  ): Promise<{ [field: string]: number }> {
    const after = await this.backend.atomicPatch(key, (previous) => addAmounts(key, previous, fieldAmounts));
    return Object.fromEntries(Object.keys(fieldAmounts).map((field) => [field, after[field] as number]));
  }

  /** @hidden */
  public reset(): void {
    this.backend.reset();
  }
}

function addAmounts(key: string, row: KVHash, amounts: { [field: string]: number }): KVHash {
  for (const [field, amount] of Object.entries(amounts)) {
    const current = row[field] ?? 0;
    const numeric = typeof current === 'string' && current.trim() !== '' ? Number(current) : current;
    if (typeof numeric !== 'number' || Number.isNaN(numeric)) {
      throw new Error(`Cannot increment field ${field} of key ${key}: it holds a non-numeric value`);
    }
    row[field] = numeric + amount;
  }
  return row;
}
