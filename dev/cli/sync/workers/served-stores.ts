/* eslint-disable max-classes-per-file -- the two store contracts share one compare-and-set call; one file keeps that logic in one place */
import type {
  BaseKVStore,
  KVHash,
  KVPatchUpdater,
  KVRowOptions,
  KVStore,
  ValueHash,
} from '@zaiusinc/app-sdk';

import type { StoreAnswer, StoreName, StoreTransport } from './store-protocol';

// The SDK's store contracts over a transport to the parent's store server: what a worker (and the
// parent itself) hands the SDK through initializeStores. patch and increment are compare-and-set
// cycles (read the row and its counter, write only if the counter is unchanged, retry), so two
// processes updating one row never lose an update, as on OCP's store.

const CAS_ATTEMPTS = 5;
type Row = Record<string, unknown>;

class StoreCall {
  public constructor(
    private readonly transport: StoreTransport,
    private readonly store: StoreName,
  ) {}

  public async read(key: string): Promise<{ cas: number; value: Row; ttl?: number }> {
    const answer = expectOk(await this.transport({ op: 'get', store: this.store, key }));
    return { cas: answer.cas ?? 0, value: answer.value ?? {}, ttl: answer.ttl };
  }

  public async write(key: string, value: Row, ttl?: number, cas?: number): Promise<Row | 'cas-mismatch'> {
    const answer = await this.transport({ op: 'put', store: this.store, key, value, ttl, cas });
    if (!answer.ok && answer.casMismatch) return 'cas-mismatch';
    return expectOk(answer).value ?? {};
  }

  public async remove(key: string): Promise<Row> {
    return expectOk(await this.transport({ op: 'delete', store: this.store, key })).value ?? {};
  }

  public async exists(key: string): Promise<boolean> {
    return expectOk(await this.transport({ op: 'exists', store: this.store, key })).exists === true;
  }

  /** An atomic add on the server, as the platform's increment is: never a lost update. */
  public async increment(key: string, amounts: Record<string, number>, ttl?: number): Promise<Row> {
    return (
      expectOk(await this.transport({ op: 'increment', store: this.store, key, amounts, ttl })).value ?? {}
    );
  }

  /** Read, change, write if unchanged; retried as the SDK's stores retry. Answers the row from before. */
  public async update(key: string, change: (previous: Row, options: KVRowOptions) => Row): Promise<Row> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const read = await this.read(key);
      const options: KVRowOptions = { ttl: read.ttl };
      const next = change(structuredClone(read.value), options);
      const written = await this.write(key, next, options.ttl, read.cas);
      if (written !== 'cas-mismatch') return read.value;
    }
    throw new Error(`Failed to update key ${key}. CAS retries exhausted.`);
  }
}

function expectOk(answer: StoreAnswer): Extract<StoreAnswer, { ok: true }> {
  if (!answer.ok) throw new Error(answer.message);
  return answer;
}

function pick(row: Row, fields?: string[]): Row {
  return fields && fields.length > 0 ? Object.fromEntries(fields.map((f) => [f, row[f]])) : row;
}

/** The kvStore operations the app uses; the SDK's list and set operations are not served. */
type ServedKvOperations = Pick<
  KVStore,
  'get' | 'put' | 'patch' | 'delete' | 'exists' | 'increment' | 'incrementMulti'
>;

export class ServedKvStore implements ServedKvOperations {
  private readonly call: StoreCall;
  public constructor(transport: StoreTransport, store: StoreName) {
    this.call = new StoreCall(transport, store);
  }

  public async get<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    return pick((await this.call.read(key)).value, fields) as T;
  }

  public async put<T extends KVHash>(key: string, value: T, options?: KVRowOptions): Promise<T> {
    return (await this.call.write(key, value, options?.ttl)) as T;
  }

  public async patch<T extends KVHash>(
    key: string,
    value: T | KVPatchUpdater<T>,
    options?: KVRowOptions,
  ): Promise<T> {
    return (await this.call.update(key, (previous, rowOptions) => {
      if (typeof value === 'function') return value(previous as T, rowOptions);
      if (options?.ttl !== undefined) rowOptions.ttl = options.ttl;
      return { ...previous, ...value };
    })) as T;
  }

  public async delete<T extends KVHash>(key: string, fields?: string[]): Promise<T> {
    if (!fields) return (await this.call.remove(key)) as T;
    const before = await this.call.update(key, (row) => {
      for (const field of fields) delete row[field];
      return row;
    });
    return pick(before, fields) as T;
  }

  public exists(key: string): Promise<boolean> {
    return this.call.exists(key);
  }

  public async increment(key: string, field: string, amount = 1, options?: KVRowOptions): Promise<number> {
    const after = await this.incrementMulti(key, { [field]: amount }, options);
    return after[field] as number;
  }

  public async incrementMulti(
    key: string,
    fieldAmounts: { [field: string]: number },
    options?: KVRowOptions,
  ): Promise<{ [field: string]: number }> {
    const after = await this.call.increment(key, fieldAmounts, options?.ttl);
    return Object.fromEntries(Object.keys(fieldAmounts).map((field) => [field, after[field] as number]));
  }
}

export class ServedStore implements BaseKVStore {
  private readonly call: StoreCall;
  public constructor(transport: StoreTransport, store: StoreName) {
    this.call = new StoreCall(transport, store);
  }

  public async get<V extends ValueHash>(key: string, fields?: string[]): Promise<V> {
    return pick((await this.call.read(key)).value, fields) as V;
  }

  public async put<V extends ValueHash>(key: string, value: V): Promise<true> {
    await this.call.write(key, value);
    return true;
  }

  public async patch<V extends ValueHash>(key: string, value: V | ((previous: V) => V)): Promise<V> {
    return (await this.call.update(key, (previous) =>
      typeof value === 'function' ? value(previous as V) : { ...previous, ...value },
    )) as V;
  }

  public async delete(key: string, fields?: string[]): Promise<true> {
    if (!fields) await this.call.remove(key);
    else {
      await this.call.update(key, (row) => {
        for (const field of fields) delete row[field];
        return row;
      });
    }
    return true;
  }

  public exists(key: string): Promise<boolean> {
    return this.call.exists(key);
  }
}
