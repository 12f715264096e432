import { describe, expect, it } from 'vitest';

import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import {
  APP_KV_ROWS,
  CREATION_QUEUE_ROW,
  deleteAppKvRows,
  KV_ROWS,
  METAPROPERTY_SHARD_ROW,
  OUTBOX_SHARD_ROW,
  HELD_DELETES_ROW,
} from '../../src/lib/state/kv-rows';
import { silentLogger } from '../helpers/test-loggers';

function memoryStore(rows: Record<string, StoredRow>, failOn?: string): KeyValueStore {
  return {
    get: (key) => Promise.resolve(rows[key] ?? {}),
    put: (key, value) => Promise.resolve((rows[key] = value)),
    patch: () => Promise.resolve({}),
    increment: () => Promise.resolve(undefined),
    delete: (key) => {
      if (key === failOn) return Promise.reject(new Error('store unavailable'));
      delete rows[key];
      return Promise.resolve({});
    },
  };
}

describe('deleteAppKvRows', () => {
  it('knows the fixed rows of the field model cache and the delivery parts, the recent writes and the request budget among them', () => {
    expect(APP_KV_ROWS.map((row) => row.key)).toEqual([
      KV_ROWS.metaproperties.key,
      KV_ROWS.fieldNamePins.key,
      KV_ROWS.rateLimitBlock.key,
      KV_ROWS.requestBudget.key,
      KV_ROWS.externalKeys.key,
      KV_ROWS.readiness.key,
      KV_ROWS.rejections.key,
      KV_ROWS.notices.key,
      KV_ROWS.recentWrites.key,
      KV_ROWS.outbox.key,
      KV_ROWS.optionClaims.key,
      KV_ROWS.deleteCounts.key,
      KV_ROWS.syncStatus.key,
      CREATION_QUEUE_ROW.key,
      ...[0, 1].flatMap((slot) =>
        Array.from(
          { length: METAPROPERTY_SHARD_ROW.perSlot },
          (_, n) => `field_model_metaproperties_${slot}_${n}`,
        ),
      ),
      ...Array.from({ length: OUTBOX_SHARD_ROW.count }, (_, n) => `${OUTBOX_SHARD_ROW.keyPrefix}${n}`),
      ...Array.from({ length: HELD_DELETES_ROW.count }, (_, n) => `${HELD_DELETES_ROW.keyPrefix}${n}`),
    ]);
  });

  it('deletes every known row and leaves other rows alone', async () => {
    const rows: Record<string, StoredRow> = { other: { x: 1 } };
    for (const { key } of APP_KV_ROWS) rows[key] = { x: 1 };
    expect(await deleteAppKvRows(memoryStore(rows), silentLogger)).toEqual({ failed: [] });
    expect(Object.keys(rows)).toEqual(['other']);
  });

  it('goes on past a failed delete and names it', async () => {
    const rows: Record<string, StoredRow> = {};
    for (const { key } of APP_KV_ROWS) rows[key] = { x: 1 };
    expect(await deleteAppKvRows(memoryStore(rows, KV_ROWS.rateLimitBlock.key), silentLogger)).toEqual({
      failed: [KV_ROWS.rateLimitBlock.key],
    });
    expect(Object.keys(rows)).toEqual([KV_ROWS.rateLimitBlock.key]);
  });
});
