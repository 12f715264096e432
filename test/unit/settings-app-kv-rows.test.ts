import { describe, expect, it } from 'vitest';

import { EXTERNAL_KEY_CACHE_KEY } from '../../src/lib/delivery/asset-resolver';
import { RATE_LIMIT_BLOCK_KEY } from '../../src/lib/delivery/rate-limit-block';
import { FIELD_NAME_PINS_KEY } from '../../src/lib/fields/field-name-pins';
import { METAPROPERTY_CACHE_KEY } from '../../src/lib/fields/metaproperty-cache';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { READINESS_KEY } from '../../src/lib/delivery/readiness';
import { REJECTION_LOG_KEY } from '../../src/lib/delivery/rejection-log';
import { APP_KV_ROWS, deleteAppKvRows } from '../../src/lib/settings/app-kv-rows';

function memoryStore(rows: Record<string, StoredRow>, failOn?: string): KeyValueStore {
  return {
    get: (key) => Promise.resolve(rows[key] ?? {}),
    put: (key, value) => Promise.resolve((rows[key] = value)),
    patch: () => Promise.resolve({}),
    delete: (key) => {
      if (key === failOn) return Promise.reject(new Error('store unavailable'));
      delete rows[key];
      return Promise.resolve({});
    },
  };
}
const ignore = (): void => undefined;
const silent = { debug: ignore, info: ignore, warn: ignore, error: ignore };

describe('deleteAppKvRows', () => {
  it('knows the fixed rows of the field model cache and the delivery parts', () => {
    expect(APP_KV_ROWS.map((row) => row.key)).toEqual([
      METAPROPERTY_CACHE_KEY,
      FIELD_NAME_PINS_KEY,
      RATE_LIMIT_BLOCK_KEY,
      EXTERNAL_KEY_CACHE_KEY,
      READINESS_KEY,
      REJECTION_LOG_KEY,
    ]);
  });

  it('deletes every known row and leaves other rows alone', async () => {
    const rows: Record<string, StoredRow> = { other: { x: 1 } };
    for (const { key } of APP_KV_ROWS) rows[key] = { x: 1 };
    expect(await deleteAppKvRows(memoryStore(rows), silent)).toEqual({ failed: [] });
    expect(Object.keys(rows)).toEqual(['other']);
  });

  it('goes on past a failed delete and names it', async () => {
    const rows: Record<string, StoredRow> = {};
    for (const { key } of APP_KV_ROWS) rows[key] = { x: 1 };
    expect(await deleteAppKvRows(memoryStore(rows, RATE_LIMIT_BLOCK_KEY), silent)).toEqual({
      failed: [RATE_LIMIT_BLOCK_KEY],
    });
    expect(Object.keys(rows)).toEqual([RATE_LIMIT_BLOCK_KEY]);
  });
});
