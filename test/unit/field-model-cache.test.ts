import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import type { BynderApi } from '../../src/lib/bynder/bynder-api';
import type { AppConfig } from '../../src/lib/config';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// deliver() asks for the field model on every batch. While the cached copy is fresh and unchanged,
// it must cost one small kvStore read (the head's copy field), not the shards, and no request to Bynder.

const metaproperties: Metaproperty[] = [
  {
    id: '1A2B3C4D-1111-4A22-9B33C44D55E66F77',
    name: 'campaign',
    label: 'Campaign',
    type: 'select',
    options: Array.from({ length: 500 }, (_, i) => ({ id: `OPT-${i}`, name: `option_${i}` })),
  },
];

function recordingKvStore(): KeyValueStore & { reads: string[] } {
  const rows = new Map<string, StoredRow>();
  const reads: string[] = [];
  return {
    reads,
    get: async (key, fields) => {
      reads.push(fields ? `${key} [${fields.join(',')}]` : key);
      const row = rows.get(key) ?? {};
      return fields ? Object.fromEntries(fields.map((f) => [f, row[f]])) : structuredClone(row);
    },
    put: async (key, value) => rows.set(key, structuredClone(value)),
    // Read-modify-write like the SDK's stores: the field name pins are written with an updater.
    patch: async (key, value) => {
      const previous = rows.get(key) ?? {};
      rows.set(
        key,
        structuredClone(typeof value === 'function' ? value(previous, {}) : { ...previous, ...value }),
      );
      return previous;
    },
    increment: async () => undefined,
    delete: async (key) => rows.delete(key),
  };
}

function setup() {
  const clock = fakeClock(1_000_000_000);
  let listings = 0;
  const api = {
    listMetaproperties: async () => {
      listings += 1;
      return { metaproperties, skipped: [] };
    },
  } as Pick<BynderApi, 'listMetaproperties'> as BynderApi;
  const config = { portalUrl: 'https://acme.bynder.com', primaryKey: { kind: 'asset_id' } } as AppConfig;
  const kvStore = recordingKvStore();
  return {
    deps: { config, api, kvStore, logger: silentLogger, clock },
    kvStore,
    listings: () => listings,
    advance: (ms: number) => clock.advance(ms),
  };
}

describe('getFieldModel on the delivery path', () => {
  it('reads only the stamp in the head while the cached copy is fresh and unchanged', async () => {
    const { deps, kvStore, listings } = setup();
    await invalidateFieldModel(kvStore);
    const first = await getFieldModel(deps);
    kvStore.reads.length = 0;
    const again = await getFieldModel(deps);
    expect(again).toBe(first);
    expect(kvStore.reads).toEqual(['field_model_metaproperties [copy]']);
    expect(listings()).toBe(1);
  });

  it('reads the head again once the copy is stale, and lists metaproperties once more', async () => {
    const { deps, kvStore, listings, advance } = setup();
    await invalidateFieldModel(kvStore);
    await getFieldModel(deps);
    advance(16 * 60 * 1000);
    kvStore.reads.length = 0;
    await getFieldModel(deps);
    expect(kvStore.reads).toContain('field_model_metaproperties');
    expect(listings()).toBe(2);
    // The refreshed copy holds the same metaproperties: the next batch is back to the stamp alone.
    kvStore.reads.length = 0;
    await getFieldModel(deps);
    expect(kvStore.reads).toEqual(['field_model_metaproperties [copy]']);
  });

  it('notices a copy refreshed by another process (new stamp) and reads it', async () => {
    const { deps, kvStore, advance } = setup();
    await invalidateFieldModel(kvStore);
    await getFieldModel(deps);
    advance(1000);
    const row = await kvStore.get('field_model_metaproperties');
    await kvStore.put('field_model_metaproperties', {
      ...row,
      copy: { ...(row.copy as object), fetchedAt: 1_000_000_500 },
    });
    kvStore.reads.length = 0;
    const model = await getFieldModel(deps);
    expect(kvStore.reads).toEqual(['field_model_metaproperties [copy]', 'field_model_metaproperties']);
    expect(model.fetchedAt).toBe(1_000_000_500);
  });
});
