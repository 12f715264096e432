import { pickFields, retryOnCasConflict } from './compare-and-set';
import type { KVStore } from './KVStore';
import { LocalAsyncStoreBackend } from './LocalAsyncStoreBackend';
import type { KVHash, KVPatchUpdater, KVRowOptions } from './values';

/** The local kvStore / sharedKvStore over the in-memory backend (TTLs in whole seconds). */
export class LocalKVStore implements KVStore {
  public constructor(private readonly backend = new LocalAsyncStoreBackend<KVHash>()) {}

  /** An empty `fields` list reads the whole row, as in the SDK's local kvStore (settings answer `{}`). */
  public async get<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    const { value } = await this.backend.get(key);
    return (fields && fields.length > 0 ? pickFields(value, fields) : value) as T;
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

  /**
   * Without `fields`, answers the deleted row. With `fields`, answers what the SDK's local kvStore
   * does: the row left behind wrapped as `{ cas, value, ttl }`, not the deleted fields. Code must not
   * read that answer.
   */
  public async delete<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    if (!fields) return (await this.backend.delete(key)) as T;
    const after = await this.backend.atomicPatch(key, (row) => {
      for (const field of fields) delete row[field];
      return row;
    });
    return after as unknown as T;
  }

  public exists(key: string): Promise<boolean> {
    return this.backend.exists(key);
  }

  /**
   * Reproduces the SDK's local store on purpose: it ignores `options.ttl` and answers the entry found
   * under the *key* in incrementMulti's answer instead of the field (so undefined). The platform's
   * store does not, but tests run against the local one, so code must not rely on this answer.
   */
  public async increment(key: string, field: string, amount = 1, _options?: KVRowOptions): Promise<number> {
    const answer: Record<string, number | undefined> = await this.incrementMulti(key, { [field]: amount });
    return answer[key] as number;
  }

  /**
   * Ignores `options.ttl` and answers every field as undefined, as the SDK's local store does (it
   * picks the fields from the row's `{ cas, value, ttl }` wrapper, not from the value). Read the row
   * for the new counts.
   */
  public async incrementMulti(
    key: string,
    fieldAmounts: { [field: string]: number },
    _options?: KVRowOptions,
  ): Promise<{ [field: string]: number }> {
    const after = await this.backend.atomicPatch(key, (previous) => addAmounts(key, previous, fieldAmounts));
    return pickFields(after as unknown as Record<string, number>, Object.keys(fieldAmounts));
  }

  /** @hidden */
  public reset(): void {
    this.backend.reset();
  }
}

/** A missing field starts at the amount; a number, or a string that is exactly a number, is added to. */
function addAmounts(key: string, row: KVHash, amounts: { [field: string]: number }): KVHash {
  for (const [field, amount] of Object.entries(amounts)) {
    if (typeof amount !== 'number') {
      throw new Error(`Cannot increment by non-numeric value for field ${key}.${field}`);
    }
    const current = row[field];
    if (current === undefined || current === null) {
      row[field] = amount;
    } else if (typeof current === 'number' || Number(current).toString() === current) {
      row[field] = Number(current) + amount;
    } else {
      throw new Error(
        `Cannot increment non-numeric value at ${key}.${field}. Value is type ${typeof current}.`,
      );
    }
  }
  return row;
}
