import type { BaseKVStore } from './BaseKVStore';
import { pickFields, retryOnCasConflict } from './compare-and-set';
import { LocalAsyncStoreBackend } from './LocalAsyncStoreBackend';
import type { PatchUpdater, ValueHash } from './values';

/** The local settings / secrets store: whole objects over the in-memory backend. */
export class LocalStore implements BaseKVStore<ValueHash, true> {
  public constructor(private readonly backend = new LocalAsyncStoreBackend<ValueHash>()) {}

  public async get<V extends ValueHash>(key: string, fields?: string[]): Promise<V> {
    const { value } = await this.backend.get(key);
    return (fields ? pickFields(value, fields) : value) as V;
  }

  /** A falsy value deletes the key, as the SDK's local store does. */
  public async put<V extends ValueHash>(key: string, value: V): Promise<true> {
    if (!value) await this.backend.delete(key);
    else await this.backend.put(key, value);
    return true;
  }

  public async patch<V extends ValueHash>(key: string, value: V | PatchUpdater<V>): Promise<V> {
    return retryOnCasConflict(key, async () => {
      const { cas, value: previous } = await this.backend.get(key);
      const before = previous as V;
      const next = typeof value === 'function' ? value(structuredClone(before)) : { ...before, ...value };
      await this.backend.put(key, next, undefined, cas);
      return before;
    });
  }

  public async delete(key: string, fields?: string[]): Promise<true> {
    if (!fields) {
      await this.backend.delete(key);
      return true;
    }
    await retryOnCasConflict(key, async () => {
      const { cas, value } = await this.backend.get(key);
      for (const field of fields) delete value[field];
      await this.backend.put(key, value, undefined, cas);
    });
    return true;
  }

  public exists(key: string): Promise<boolean> {
    return this.backend.exists(key);
  }

  /** @hidden */
  public reset(): void {
    this.backend.reset();
  }
}
