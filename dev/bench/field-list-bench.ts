import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

import { LogLevel, setLogLevel, storage } from '@zaiusinc/app-sdk';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { loadConfig } from '../../src/lib/config';
import { createPacedClient } from '../../src/lib/delivery';
import { decodeListing, encodeListing } from '../../src/lib/fields/cached-listing';
import { getFieldModel } from '../../src/lib/fields/get-field-model';
import { METAPROPERTY_SHARD_BYTES } from '../../src/lib/fields/metaproperty-cache';
import type { Logger, StoredRow } from '../../src/lib/runtime-ports';
import { systemClock } from '../../src/lib/runtime-ports';
import { KV_ROWS, METAPROPERTY_SHARD_ROW, metapropertyShardKey } from '../../src/lib/state/kv-rows';
import {
  PRODUCT_CODE_METAPROPERTY,
  productCodeName,
  withProductCodes,
} from '../bynder-emulator/product-codes';
import { DEMO_PORTAL_PATH, type Seed } from '../bynder-emulator/seed';
import { startEmulator } from '../bynder-emulator/server';
import { DESTINATION_KEY } from '../cli/sync/mapping/destination-fields';
import { configureOurApp, deliverOurs } from './our-deliverer';

// `npm run bench -- --field-list [options]`: the field list of a portal with a large taxonomy (the
// demo portal plus a product-code metaproperty of 100,000 options), against the emulator with
// latency, through the request budget:
// - cold: empty cache; the schema function lists the metaproperties and caches them;
// - warm, new process: the cache is read back (head and shards) and the model built, no request;
// - warm, same process: the model kept in memory, one small read of the head;
// - deliver(): one batch of 100 records setting product codes, then read back from the emulator.
// Bytes stored are each row's JSON as the kvStore holds it (UTF-8), beside what the single row of
// before would have held for the same portal.

export interface FieldListBenchOptions {
  /** Options of the product-code metaproperty. */
  options: number;
  /** Mean emulator latency per request (±20 %, as the delivery bench). */
  latencyMs: number;
  requestsPerSecond: number;
  progress: (line: string) => void;
}

export const DEFAULT_FIELD_LIST_OPTIONS: Omit<FieldListBenchOptions, 'progress'> = {
  options: 100_000,
  latencyMs: 150,
  requestsPerSecond: 10,
};

export interface FieldListPhase {
  name: string;
  /** Of the requests: the metaproperty listing, and the pages of option lists. */
  listings: number;
  optionPages: number;
  /** Requests to Bynder (the emulator), all of them metaproperty reads except in the deliver phase. */
  requests: number;
  seconds: number;
}

export interface FieldListFigures {
  options: number;
  latencyMs: number;
  requestsPerSecond: number;
  phases: FieldListPhase[];
  /** The rows of the cached copy as stored: the largest and the total, and how many. */
  storedRows: number;
  largestRowBytes: number;
  totalBytes: number;
  /** What the one row of before held for the same portal (the compact listing, as one JSON string). */
  beforeRowBytes: number;
  /** About what the listing with options embedded answers (the portal's metaproperties as JSON). */
  embeddedListingBytes: number;
  /** Fields the schema function offered, and whether every delivered record is now in the emulator. */
  schemaFields: number;
  delivered: { records: number; applied: number; success: boolean };
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const rowBytes = (row: StoredRow) => Buffer.byteLength(JSON.stringify(row), 'utf8');

/** Every row of the cached metaproperties now in the kvStore, with its size. */
async function storedCacheRows(): Promise<number[]> {
  const keys = [
    KV_ROWS.metaproperties.key,
    ...[0, 1].flatMap((slot) =>
      Array.from({ length: METAPROPERTY_SHARD_ROW.perSlot }, (_, n) => metapropertyShardKey(slot, n)),
    ),
  ];
  const sizes: number[] = [];
  for (const key of keys) {
    const row = await storage.kvStore.get(key);
    if (Object.keys(row).length > 0) sizes.push(rowBytes(row));
  }
  return sizes;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

export async function runFieldListBench(options: FieldListBenchOptions): Promise<FieldListFigures> {
  // The app's warnings (a listing that fell back, a copy not cached) matter here; its debug lines do not.
  if (process.env.LOG_LEVEL === undefined) setLogLevel(LogLevel.Warn);
  const demo = JSON.parse(await readFile(DEMO_PORTAL_PATH, 'utf8')) as Seed;
  const seed = withProductCodes(demo, options.options);
  options.progress(
    `field list: demo portal + ${options.options.toLocaleString('en-US')} product-code options`,
  );
  const emulator = await startEmulator({
    seed,
    rateLimit: false,
    latency: { ms: options.latencyMs * 0.8, jitterMs: options.latencyMs * 0.4 },
  });
  try {
    const target = { url: emulator.url, token: emulator.token };
    await configureOurApp(target, { requestsPerSecond: options.requestsPerSecond, maxInFlight: 4 });
    const phases: FieldListPhase[] = [];
    const measure = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      const count = () => ({
        all: emulator.requests().length,
        listings: emulator.requests('GET /api/v4/metaproperties/').length,
        optionPages: emulator.requests('GET /api/v4/metaproperties/:id/options/').length,
      });
      const before = count();
      const { value, seconds } = await timed(run);
      const after = count();
      phases.push({
        name,
        requests: after.all - before.all,
        listings: after.listings - before.listings,
        optionPages: after.optionPages - before.optionPages,
        seconds,
      });
      options.progress(`  ${name}: ${seconds.toFixed(1)} s`);
      return value;
    };
    const schemaFunction = new BynderAssetSchema({ destinationKey: DESTINATION_KEY });

    const schema = await measure('cold: schema function, empty cache', () =>
      schemaFunction.getDestinationsSchema(),
    );
    const sizes = await storedCacheRows();

    // Another process: nothing in memory (another install key), the copy in the kvStore.
    const config = await loadConfig({ settings: storage.settings, secrets: storage.secrets });
    const { api } = createPacedClient(config, {
      logger: silent,
      clock: systemClock,
      kvStore: storage.kvStore,
    });
    const deps = {
      config,
      api,
      kvStore: storage.kvStore,
      logger: silent,
      clock: systemClock,
      install: 'field-list-bench-new-process',
    };
    const model = await measure('warm, new process: cache read, model built', () => getFieldModel(deps));
    await measure('warm, same process: schema function', () => schemaFunction.getDestinationsSchema());
    // Every 15 minutes: the copy says the portal has a long option list, so options are not embedded.
    await measure('refresh of a stale copy: listed again, cached again', () =>
      getFieldModel({ ...deps, install: 'field-list-bench-refresh' }, { forceRefresh: true }),
    );

    const field = model.fields.find((f) => f.formKey !== undefined && f.name === PRODUCT_CODE_METAPROPERTY);
    if (!field) throw new Error(`the field model has no "${PRODUCT_CODE_METAPROPERTY}" field`);
    const records = seed.assets.slice(0, 100).map((asset, i) => ({
      asset_id: asset.id,
      [field.name]: productCodeName((i * 997) % options.options),
    }));
    const tally = await measure('deliver(): 100 records, warm', () =>
      deliverOurs([records], { syncId: 'field-list-bench', retryPauseMs: 1_000 }),
    );
    await emulator.settle();
    const state = emulator.snapshot();
    const applied = records.filter((record) => {
      const asset = state.assets.find((a) => a.id === record.asset_id);
      const held = asset?.[`property_${PRODUCT_CODE_METAPROPERTY}`];
      return Array.isArray(held) && held.includes(String(record[field.name]));
    }).length;

    const compact = decodeListing(
      encodeListing({ metaproperties: Object.values(seed.metaproperties), skipped: [] }),
    );
    const beforeRowBytes = rowBytes({
      portalUrl: config.portalUrl,
      fetchedAt: Date.now(),
      json: JSON.stringify(compact),
    });
    return {
      options: options.options,
      latencyMs: options.latencyMs,
      requestsPerSecond: options.requestsPerSecond,
      phases,
      storedRows: sizes.length,
      largestRowBytes: Math.max(...sizes),
      totalBytes: sizes.reduce((sum, n) => sum + n, 0),
      beforeRowBytes,
      embeddedListingBytes: Buffer.byteLength(JSON.stringify(state.metaproperties), 'utf8'),
      schemaFields: schema.fields.length,
      delivered: { records: records.length, applied, success: tally.failedBatches === 0 },
    };
  } finally {
    await emulator.stop();
  }
}

/** The targets: every row within its budget, warm reads without a request, every record applied. */
export function meetsFieldListTarget(figures: FieldListFigures): boolean {
  const warm = figures.phases.filter((phase) => phase.name.startsWith('warm'));
  return (
    figures.largestRowBytes <= METAPROPERTY_SHARD_BYTES &&
    warm.every((phase) => phase.requests === 0) &&
    figures.delivered.success &&
    figures.delivered.applied === figures.delivered.records
  );
}

export function renderFieldListTable(figures: FieldListFigures): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return [
    `Field list (npm run bench -- --field-list ${figures.options}): demo portal + ${n(figures.options)} product-code options, ` +
      `${figures.latencyMs} ms latency, budget ${figures.requestsPerSecond}/s`,
    '| phase | requests to Bynder (listings, option pages) | seconds |',
    '|---|---:|---:|',
    ...figures.phases.map(
      (phase) =>
        `| ${phase.name} | ${n(phase.requests)} (${phase.listings}, ${phase.optionPages}) | ${phase.seconds.toFixed(2)} |`,
    ),
    '',
    '| cache rows | largest row | total | before: one row |',
    '|---:|---:|---:|---:|',
    `| ${figures.storedRows} | ${n(figures.largestRowBytes)} B | ${n(figures.totalBytes)} B | ${n(figures.beforeRowBytes)} B |`,
    '',
    `listing with options embedded: about ${n(figures.embeddedListingBytes)} B; ` +
      `schema fields: ${figures.schemaFields}; deliver(): ${figures.delivered.applied}/${figures.delivered.records} records applied` +
      ` (product code held in the emulator), ${figures.delivered.success ? 'success' : 'FAILED'}`,
  ].join('\n');
}
