import { describe, expect, it } from 'vitest';

import type { Metaproperty, MetapropertyListing } from '../../src/lib/bynder/api-types';
import type { BynderApi } from '../../src/lib/bynder/bynder-api';
import type { AppConfig } from '../../src/lib/config';
import { decodeListing, encodeListing } from '../../src/lib/fields/cached-listing';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import {
  METAPROPERTY_SHARD_BYTES,
  METAPROPERTY_WRITE_CLAIM_MS,
  cutIntoParts,
  readMetapropertyHead,
  readMetapropertyShards,
  serializeListing,
  writeMetapropertyCache,
} from '../../src/lib/fields/metaproperty-cache';
import type { KeyValueStore, StoredRow } from '../../src/lib/runtime-ports';
import { KV_ROWS, metapropertyShardKey } from '../../src/lib/state/kv-rows';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// The cached metaproperties of a large taxonomy: 100,000 options (product codes kept as options) must
// be cached in rows each well under the kvStore's per-record size, read back exactly, and a partial,
// corrupt or mixed set of rows must be a cache miss (a refetch), never a wrong field model.

const PORTAL = 'https://acme.bynder.com';
const HEAD = KV_ROWS.metaproperties.key;

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/** A portal with one product-code metaproperty of `count` options, plus a small hierarchical one. */
function largeListing(count: number, seed = 0): MetapropertyListing {
  const productCode: Metaproperty = {
    id: `5E1EC700-0000-4000-8000-${hex(seed, 12)}`,
    name: 'product_code',
    label: 'Product code',
    type: 'select2',
    isMultiselect: true,
    zindex: 1,
    options: Array.from({ length: count }, (_, o) => ({
      id: `0B7100E0-${hex(seed, 4)}-4000-8000-${hex(o, 12)}`,
      name: `PRD-${String(o).padStart(6, '0')}`,
      zindex: o,
    })),
  };
  const region: Metaproperty = {
    id: 'AAAAAAAA-0000-4000-8000-000000000001',
    name: 'region',
    label: 'Région',
    type: 'select',
    isRequired: true,
    options: [
      {
        id: 'R-1',
        name: 'emea',
        label: 'EMEA "Europe"',
        displayLabel: 'Europe \\ Middle East',
        zindex: 2,
        options: [
          { id: 'R-1-1', name: 'de', label: 'Deutschland', zindex: 1 },
          { id: 'R-1-2', name: 'fr', label: 'France 🇫🇷', isSelectable: false },
        ],
      },
      { id: 'R-2', name: 'apac', active: false },
    ],
  };
  return { metaproperties: [productCode, region], skipped: [{ key: '7', problem: '"type" is missing' }] };
}

/**
 * An in-memory kvStore whose calls each take a turn of the event loop, so concurrent writers
 * interleave, and whose patch is a compare-and-set as OCP's: the row is read, then written only if
 * no one wrote it in between (else it tries again, up to five times, then fails).
 */
function memoryKvStore(): KeyValueStore & { rows: Map<string, StoredRow>; versions: Map<string, number> } {
  const rows = new Map<string, StoredRow>();
  const versions = new Map<string, number>();
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const write = (key: string, value: StoredRow) => {
    rows.set(key, structuredClone(value));
    versions.set(key, (versions.get(key) ?? 0) + 1);
  };
  return {
    rows,
    versions,
    get: async (key, fields) => {
      await turn();
      const row = structuredClone(rows.get(key) ?? {});
      return fields ? Object.fromEntries(fields.map((f) => [f, row[f]])) : row;
    },
    put: async (key, value) => {
      await turn();
      write(key, value);
    },
    patch: async (key, value) => {
      for (let round = 0; round < 5; round += 1) {
        const version = versions.get(key) ?? 0;
        const previous = structuredClone(rows.get(key) ?? {});
        await turn();
        if ((versions.get(key) ?? 0) !== version) continue;
        write(key, typeof value === 'function' ? value(previous, {}) : { ...previous, ...value });
        return previous;
      }
      throw new Error(`Failed to update key ${key}. CAS retries exhausted.`);
    },
    increment: async (key, field, amount = 1) => {
      await turn();
      const row = rows.get(key) ?? {};
      write(key, { ...row, [field]: Number(row[field] ?? 0) + amount });
    },
    delete: async (key) => {
      await turn();
      rows.delete(key);
      versions.delete(key);
    },
  };
}

let generations = 0;
/** Each writer draws its own generation id, as randomUUID gives. */
function randomIds() {
  return { fraction: () => 0.5, id: () => `generation-${(generations += 1)}` };
}

async function cache(kvStore: KeyValueStore, listing: MetapropertyListing, clock = fakeClock()) {
  const { json, hash } = serializeListing(encodeListing(listing));
  return writeMetapropertyCache(
    { kvStore, logger: silentLogger, clock, random: randomIds() },
    { portalUrl: PORTAL, fetchedAt: clock.now(), json, hash },
  );
}

async function readBack(kvStore: KeyValueStore): Promise<MetapropertyListing | undefined> {
  const copy = await readMetapropertyHead(kvStore, PORTAL, silentLogger);
  return copy && readMetapropertyShards(kvStore, copy, silentLogger);
}

const storedBytes = (row: StoredRow) => Buffer.byteLength(JSON.stringify(row), 'utf8');

describe('the cached listing format', () => {
  it('keeps everything the option index reads, and drops only defaults', () => {
    const listing = largeListing(3);
    const [, region] = decodeListing(encodeListing(listing)).metaproperties;
    expect(region).toEqual({
      ...listing.metaproperties[1],
      options: [
        {
          id: 'R-1',
          name: 'emea',
          label: 'EMEA "Europe"',
          displayLabel: 'Europe \\ Middle East',
          zindex: 2,
          options: [
            { id: 'R-1-1', name: 'de', label: 'Deutschland', zindex: 1 },
            { id: 'R-1-2', name: 'fr', label: 'France 🇫🇷', isSelectable: false },
          ],
        },
        { id: 'R-2', name: 'apac', active: false },
      ],
    });
  });
});

describe('cutIntoParts', () => {
  it('keeps every shard row within its byte budget, escaping and multi-byte text included', () => {
    // Quotes and backslashes double when the part is stored as a JSON string; the flag is 4 bytes per
    // surrogate pair; "é" is 2 bytes in one code unit. A cut between a surrogate pair would corrupt it.
    const json = JSON.stringify({ text: 'a"b\\cé🇫🇷'.repeat(20_000) });
    const parts = cutIntoParts(json, 'generation-1', 10_000);
    expect(parts.join('')).toBe(json);
    expect(parts.length).toBeGreaterThan(10);
    for (const [index, part] of parts.entries()) {
      expect(storedBytes({ generation: 'generation-1', index, part })).toBeLessThanOrEqual(10_000);
      expect(part.charCodeAt(0) >= 0xdc00 && part.charCodeAt(0) <= 0xdfff).toBe(false);
    }
  });
});

describe('the metaproperty cache at 100,000 options', () => {
  it('round-trips the listing, every row within its byte budget', async () => {
    const kvStore = memoryKvStore();
    const listing = largeListing(100_000);
    expect(await cache(kvStore, listing)).toMatchObject({ kind: 'published' });

    const sizes = [...kvStore.rows.values()].map(storedBytes);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(METAPROPERTY_SHARD_BYTES);
    expect(storedBytes(kvStore.rows.get(HEAD) ?? {})).toBeLessThan(1_000);
    expect(kvStore.rows.size).toBeGreaterThan(10); // really split, not one big row

    const back = await readBack(kvStore);
    expect(back).toEqual(decodeListing(encodeListing(listing)));
    expect(back?.metaproperties[0]?.options).toHaveLength(100_000);
    expect(back?.metaproperties[0]?.options?.[99_999]).toEqual(listing.metaproperties[0]?.options?.[99_999]);
  });
});

describe('a partial or corrupt copy is a cache miss', () => {
  async function cached() {
    const kvStore = memoryKvStore();
    const result = await cache(kvStore, largeListing(20_000));
    if (result.kind !== 'published') throw new Error(`not cached: ${result.kind}`);
    expect(result.copy.shards).toBeGreaterThan(2);
    return { kvStore, copy: result.copy };
  }

  it('reads a complete copy', async () => {
    const { kvStore } = await cached();
    expect(await readBack(kvStore)).toBeDefined();
  });

  it('misses when a shard is missing', async () => {
    const { kvStore, copy } = await cached();
    kvStore.rows.delete(metapropertyShardKey(copy.slot, 1));
    expect(await readBack(kvStore)).toBeUndefined();
  });

  it('misses when a shard belongs to another generation', async () => {
    const { kvStore, copy } = await cached();
    const key = metapropertyShardKey(copy.slot, 1);
    kvStore.rows.set(key, { ...kvStore.rows.get(key), generation: 'another-copy' });
    expect(await readBack(kvStore)).toBeUndefined();
  });

  it('misses when a shard is malformed or its text altered', async () => {
    const { kvStore, copy } = await cached();
    const key = metapropertyShardKey(copy.slot, 1);
    const shard = kvStore.rows.get(key) ?? {};
    kvStore.rows.set(key, { ...shard, part: String(shard.part).replace('PRD-', 'PRX-') });
    expect(await readBack(kvStore)).toBeUndefined();
    kvStore.rows.set(key, { ...shard, part: 42 });
    expect(await readBack(kvStore)).toBeUndefined();
  });

  it('misses when shards are swapped', async () => {
    const { kvStore, copy } = await cached();
    const [a, b] = [metapropertyShardKey(copy.slot, 0), metapropertyShardKey(copy.slot, 1)];
    const [rowA, rowB] = [kvStore.rows.get(a) ?? {}, kvStore.rows.get(b) ?? {}];
    kvStore.rows.set(a, { ...rowB, index: 0 });
    kvStore.rows.set(b, { ...rowA, index: 1 });
    expect(await readBack(kvStore)).toBeUndefined();
  });

  it('misses when the joined copy does not match the cached listing schema', async () => {
    const kvStore = memoryKvStore();
    const json = JSON.stringify({ format: 2, metaproperties: [{ id: 'x' }], skipped: [] });
    const { hash } = serializeListing(JSON.parse(json));
    await writeMetapropertyCache(
      { kvStore, logger: silentLogger, clock: fakeClock(), random: randomIds() },
      { portalUrl: PORTAL, fetchedAt: 0, json, hash },
    );
    expect(await readMetapropertyHead(kvStore, PORTAL, silentLogger)).toBeDefined();
    expect(await readBack(kvStore)).toBeUndefined();
  });

  it('lists the metaproperties again and builds the right model when a shard went missing', async () => {
    const clock = fakeClock(1_000_000_000);
    const kvStore = memoryKvStore();
    let listings = 0;
    const api = {
      listMetaproperties: async () => {
        listings += 1;
        return largeListing(5_000);
      },
    } as Pick<BynderApi, 'listMetaproperties'> as BynderApi;
    const config = { portalUrl: PORTAL, primaryKey: { kind: 'asset_id' } } as AppConfig;
    const deps = { config, api, kvStore, logger: silentLogger, clock, install: 'miss-test' };
    await invalidateFieldModel(kvStore);
    await getFieldModel(deps);
    expect(listings).toBe(1);
    const copy = await readMetapropertyHead(kvStore, PORTAL, silentLogger);
    if (!copy) throw new Error('not cached');
    kvStore.rows.delete(metapropertyShardKey(copy.slot, 0));
    await invalidateFieldModel(kvStore); // a new process: no model in memory
    await kvStore.put(HEAD, { copy }); // ... and the head still names the damaged copy
    const model = await getFieldModel(deps);
    expect(listings).toBe(2);
    const field = model.fields.find(
      (f) => f.formKey === `metaproperty.${largeListing(0).metaproperties[0]?.id}`,
    );
    const policy = { emptyValues: 'leave', unknownOptions: 'reject' } as const;
    expect(field?.toWrite('PRD-004999', policy)).toMatchObject({
      kind: 'set',
      formValue: `0B7100E0-0000-4000-8000-${hex(4_999, 12)}`,
    });
    expect(await readBack(kvStore)).toBeDefined(); // cached again, whole
  });
});

describe('listing a portal known to hold a large taxonomy', () => {
  it('leaves embedded options out of the next listing once a copy had a list of 1,000 or more', async () => {
    const clock = fakeClock(1_000_000_000);
    const kvStore = memoryKvStore();
    const asked: Array<boolean | undefined> = [];
    let count = 999;
    const api = {
      listMetaproperties: async (options?: { embedOptions?: boolean }) => {
        asked.push(options?.embedOptions);
        return largeListing(count);
      },
    } as Pick<BynderApi, 'listMetaproperties'> as BynderApi;
    const config = { portalUrl: PORTAL, primaryKey: { kind: 'asset_id' } } as AppConfig;
    const deps = { config, api, kvStore, logger: silentLogger, clock, install: 'hint-test' };
    await invalidateFieldModel(kvStore);
    await getFieldModel(deps);
    await getFieldModel(deps, { forceRefresh: true }); // 999 options: still embedded
    count = 1_000;
    await getFieldModel(deps, { forceRefresh: true });
    await getFieldModel(deps, { forceRefresh: true }); // the copy now says 1,000: paged
    expect(asked).toEqual([true, true, true, false]);
  });
});

describe('concurrent refreshes', () => {
  it('end with one whole copy, never a mix of two', async () => {
    const kvStore = memoryKvStore();
    const clock = fakeClock();
    const first = largeListing(20_000, 1);
    const second = largeListing(20_000, 2);
    const results = await Promise.all([cache(kvStore, first, clock), cache(kvStore, second, clock)]);
    expect(results.map((r) => r.kind).sort()).toEqual(['claimed_by_another', 'published']);
    const back = await readBack(kvStore);
    expect([decodeListing(encodeListing(first)), decodeListing(encodeListing(second))]).toContainEqual(back);
  });

  it('keep the current copy readable while the next one is written', async () => {
    const kvStore = memoryKvStore();
    const clock = fakeClock();
    const first = largeListing(20_000, 1);
    await cache(kvStore, first, clock);
    const writing = cache(kvStore, largeListing(20_000, 2), clock);
    // Read while the next copy's shards are being written: the head still names the first copy.
    const during = await readBack(kvStore);
    await writing;
    expect(during).toEqual(decodeListing(encodeListing(first)));
  });

  it('release the claim of a writer whose shard write failed, so the next one caches at once', async () => {
    const kvStore = memoryKvStore();
    const clock = fakeClock();
    const put = kvStore.put;
    kvStore.put = async () => {
      throw new Error('kvStore unavailable');
    };
    expect(await cache(kvStore, largeListing(10), clock)).toEqual({ kind: 'failed' });
    kvStore.put = put;
    expect(await cache(kvStore, largeListing(10), clock)).toMatchObject({ kind: 'published' });
  });

  it('take over a claim left by a writer that stopped, and the stopped writer cannot publish', async () => {
    const kvStore = memoryKvStore();
    const clock = fakeClock();
    await kvStore.put(HEAD, { writing: { generation: 'stopped', slot: 0, until: clock.now() + 1_000 } });
    expect(await cache(kvStore, largeListing(10), clock)).toEqual({ kind: 'claimed_by_another' });
    clock.advance(METAPROPERTY_WRITE_CLAIM_MS);
    expect(await cache(kvStore, largeListing(10), clock)).toMatchObject({ kind: 'published' });
    expect(await readBack(kvStore)).toBeDefined();
  });
});
