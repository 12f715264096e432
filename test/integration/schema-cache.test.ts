import { readFileSync } from 'node:fs';
import path from 'node:path';

import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import type { AppConfig } from '../../src/lib/config';
import { parseConfig } from '../../src/lib/config';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { METAPROPERTY_FRESH_MS } from '../../src/lib/fields/metaproperty-cache';
import type { KeyValueStore, Logger } from '../../src/lib/runtime-ports';
import type { SeedMetaproperty } from '../../dev/bynder-emulator/server';
import { fakeClock, type FakeClock } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';

// getFieldModel with the real client against the emulator: the request log shows when Bynder is asked.

const LIST_ROUTE = 'GET /api/v4/metaproperties/';
// The nasty fixture, no assets: a small portal keeps re-seeding fast.
const nasty = JSON.parse(
  readFileSync(path.join(__dirname, '../fixtures/nasty-metaproperties.json'), 'utf8'),
) as Record<string, SeedMetaproperty>;
const emulator = useEmulator({ seed: { metaproperties: nasty, assets: [] } });

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => undefined;
  return {
    warnings,
    debug: quiet,
    info: quiet,
    error: quiet,
    warn: (...args) => warnings.push(args.map(String).join(' ')),
  };
}

let clock: FakeClock;
let logger: ReturnType<typeof recordingLogger>;
let config: AppConfig;

function deps(token = emulator.token) {
  const api = new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token },
    logger,
    clock,
    retries: 0,
  });
  return { config, api, kvStore: storage.kvStore as KeyValueStore, logger, clock };
}

beforeEach(async () => {
  resetLocalStores();
  await invalidateFieldModel(storage.kvStore);
  emulator.faults.clear();
  emulator.clearRequests();
  clock = fakeClock(Date.UTC(2026, 2, 1));
  logger = recordingLogger();
  config = parseConfig({
    connection: { portal: emulator.url },
    secrets: { token: emulator.token },
    records: {},
    throughput: {},
  });
});

describe('getFieldModel: kvStore cache against the emulator', () => {
  it('makes 0 requests for a second call inside the freshness window', async () => {
    const first = await getFieldModel(deps());
    expect(emulator.requests(LIST_ROUTE)).toHaveLength(1);
    emulator.clearRequests();

    clock.advance(METAPROPERTY_FRESH_MS - 1);
    const second = await getFieldModel(deps());
    expect(emulator.requests()).toHaveLength(0);
    expect(second.fields.map((f) => f.name)).toEqual(first.fields.map((f) => f.name));
    expect(second.fetchedAt).toBe(first.fetchedAt);
  });

  it('refreshes a stale copy before answering, picking up a new metaproperty', async () => {
    await getFieldModel(deps());
    const portal = emulator.snapshot();
    emulator.seed({
      metaproperties: {
        ...portal.metaproperties,
        Season: {
          id: 'SEASON-0000-4000-8000-000000000001',
          name: 'season',
          label: 'Season',
          type: 'text',
          isEditable: true,
        },
      },
      assets: [],
    });
    emulator.clearRequests();

    clock.advance(METAPROPERTY_FRESH_MS);
    const model = await getFieldModel(deps());
    expect(emulator.requests(LIST_ROUTE)).toHaveLength(1);
    expect(model.byName.get('season')?.displayName).toBe('Season');
    expect(model.fetchedAt).toBe(clock.now());
    expect(logger.warnings).toEqual([]);
  });

  it('asks Bynder when forced, even with a fresh copy', async () => {
    await getFieldModel(deps());
    emulator.clearRequests();
    await getFieldModel(deps(), { forceRefresh: true });
    expect(emulator.requests(LIST_ROUTE)).toHaveLength(1);
  });

  it('asks Bynder again after invalidateFieldModel', async () => {
    await getFieldModel(deps());
    await invalidateFieldModel(storage.kvStore);
    emulator.clearRequests();
    await getFieldModel(deps());
    expect(emulator.requests(LIST_ROUTE)).toHaveLength(1);
  });

  it('serves the stale copy and logs a warning when Bynder is down', async () => {
    const cached = await getFieldModel(deps());
    emulator.faults.add({ match: LIST_ROUTE, status: 503 });
    clock.advance(METAPROPERTY_FRESH_MS + 1);

    const served = await getFieldModel(deps());
    expect(served.fields.map((f) => f.name)).toEqual(cached.fields.map((f) => f.name));
    expect(served.fetchedAt).toBe(cached.fetchedAt);
    expect(emulator.requests(LIST_ROUTE).map((r) => r.status)).toEqual([200, 503]);
    expect(logger.warnings).toEqual([
      expect.stringMatching(/could not be refreshed .*503.*using the copy fetched 2026-03-01T00:00:00.000Z/),
    ]);
  });

  it('throws an error saying what to do when Bynder is down and nothing is cached', async () => {
    emulator.faults.add({ match: LIST_ROUTE, status: 503 });
    const attempt = getFieldModel(deps());
    await expect(attempt).rejects.toThrow(
      /Could not load the field list from Bynder \(no cached copy yet\): .*try again in a few minutes/,
    );
    await expect(attempt).rejects.toMatchObject({ name: 'MetapropertiesUnavailableError', retryable: true });
  });

  it('throws an error pointing at the Connection settings when the token is refused, without the token', async () => {
    const attempt = getFieldModel(deps('wrong-secret-token'));
    await expect(attempt).rejects.toThrow(/Check the token or OAuth client in the app's Connection settings/);
    await expect(attempt).rejects.toMatchObject({ retryable: false });
    await expect(attempt).rejects.not.toThrow(/wrong-secret-token/);
  });

  it('never uses a copy cached for another portal', async () => {
    await getFieldModel(deps());
    config = { ...config, portalUrl: portalOf('http://localhost:1') };
    emulator.clearRequests();
    // The api still points at the emulator: the request proves the cached copy was not used.
    await getFieldModel(deps());
    expect(emulator.requests(LIST_ROUTE)).toHaveLength(1);
  });
});
