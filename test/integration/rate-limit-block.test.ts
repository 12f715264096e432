import { logger, notifications, resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { deliverBatch } from '../../src/lib/delivery/deliver-batch';
import { RATE_LIMIT_QUIET_MS, storeRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { READINESS_CACHE_MS } from '../../src/lib/settings/readiness';
import { invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { systemClock, systemRandom } from '../../src/lib/runtime-ports';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// Bynder blocks the caller after a 429 until it has been quiet for five minutes, and every request
// during the block restarts them. So once a block is stored no path of the app may send anything
// (ready(), the schema function, the settings form, deliver()), any 429 on any route stores it, and
// the stored end never moves earlier, whichever worker (and clock) writes last.

const CLIENT_SECRET = 'block-client-secret-9d1e';
const emulator = useEmulator({
  tokens: [{ token: TOKEN }],
  oauthClients: [{ clientId: 'client-1-8d3f6a2e9b', clientSecret: CLIENT_SECRET }],
});
const LISTING = 'GET /api/v4/metaproperties/';
const WRITE = 'POST /api/v4/media/:id/';

beforeEach(async () => {
  resetLocalStores();
  await invalidateFieldModel(storage.kvStore);
  emulator.seed(portalSeed());
  emulator.faults.clear();
  emulator.clearRequests();
});

afterEach(() => {
  vi.restoreAllMocks();
  BynderAssetSync.clockOverride = undefined;
});

const storedEnd = async (): Promise<number | undefined> => {
  const row = await storage.kvStore.get<{ blockedUntil?: number }>(KV_ROWS.rateLimitBlock.key);
  return row.blockedUntil;
};

/** A block another worker stored: ends `ms` from now. */
async function blockFor(ms: number): Promise<number> {
  const blockedUntil = Date.now() + ms;
  await storeRateLimitBlock(storage.kvStore, { blockedUntil }, systemClock);
  return blockedUntil;
}

const schemaFunction = () => new BynderAssetSchema({ destinationKey: 'bynder_assets' });

async function submitConnection(action: string, data: Record<string, unknown>) {
  const result = await new Lifecycle().onSettingsForm('connection', action, data as SubmittedFormData);
  return result.getResponse('connection');
}

describe('during a stored rate-limit block nothing is sent', () => {
  it('ready() answers not ready until the stored end, every time, without a request', async () => {
    await configureApp(emulator.url);
    const until = await blockFor(RATE_LIMIT_QUIET_MS);
    for (const offset of [0, READINESS_CACHE_MS + 1_000, 2 * READINESS_CACHE_MS + 2_000]) {
      BynderAssetSync.clockOverride = clockAhead(offset);
      const result = await new BynderAssetSync().ready();
      expect(result.ready).toBe(false);
      expect(result.message).toContain(new Date(until).toISOString());
    }
    expect(emulator.requests()).toEqual([]);

    // Once the block has passed, ready() asks Bynder again.
    BynderAssetSync.clockOverride = clockAhead(until - Date.now() + 1_000);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    expect(emulator.requests()).toHaveLength(1);
  });

  it('ready() does not answer "ready" from its cache while a block lasts', async () => {
    await configureApp(emulator.url);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    await blockFor(RATE_LIMIT_QUIET_MS);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
  });

  it('the schema function fails with the end of the block when it has no cached field model', async () => {
    await configureApp(emulator.url);
    const until = await blockFor(RATE_LIMIT_QUIET_MS);
    await expect(schemaFunction().getDestinationsSchema()).rejects.toThrow(new Date(until).toISOString());
    expect(emulator.requests()).toEqual([]);
  });

  it('the schema function serves a stale cached field model instead of refreshing it', async () => {
    await configureApp(emulator.url);
    const first = await schemaFunction().getDestinationsSchema();
    // Make the cached copy stale (fetched an hour ago): outside a block it would be refreshed.
    const row = await storage.kvStore.get(KV_ROWS.metaproperties.key);
    await storage.kvStore.put(KV_ROWS.metaproperties.key, { ...row, fetchedAt: Date.now() - 3_600_000 });
    await blockFor(RATE_LIMIT_QUIET_MS);
    emulator.clearRequests();
    expect(await schemaFunction().getDestinationsSchema()).toEqual(first);
    expect(emulator.requests()).toEqual([]);
  });

  it("the settings form's connection test sends nothing and says until when", async () => {
    await configureApp(emulator.url);
    const until = await blockFor(RATE_LIMIT_QUIET_MS);
    const response = await submitConnection('test_connection', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: TOKEN,
    });
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain(new Date(until).toISOString());
    expect(emulator.requests()).toEqual([]);
  });
});

describe('any 429 stores the block', () => {
  it('a 429 on the metaproperty listing in deliver() stores it, and the next attempt sends nothing', async () => {
    await configureApp(emulator.url);
    emulator.faults.add({ match: LISTING, status: 429, times: 1 });
    const first = await deliver([{ asset_id: assetId(1), description: 'x' }]);
    expect(first).toMatchObject({ success: false, retryable: true });
    expect(await storedEnd()).toBeGreaterThanOrEqual(Date.now() + RATE_LIMIT_QUIET_MS - 1_000);

    emulator.clearRequests();
    const second = await deliver([{ asset_id: assetId(1), description: 'x' }], { attempt: 2 });
    expect(second).toMatchObject({ success: false, retryable: true });
    expect(emulator.requests()).toEqual([]);
  });

  it('a 429 answering ready() stores it', async () => {
    await configureApp(emulator.url);
    emulator.faults.add({ match: LISTING, status: 429, times: 1 });
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
    expect(await storedEnd()).toBeGreaterThanOrEqual(Date.now() + RATE_LIMIT_QUIET_MS - 1_000);
  });

  it('a 429 on the OAuth token request stores it', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    emulator.faults.add({ match: 'POST /v6/authentication/oauth2/token', status: 429, times: 1 });
    const response = await submitConnection('test_connection', {
      portal: emulator.url,
      auth_method: 'oauth_client_credentials',
      client_id: 'client-1-8d3f6a2e9b',
      client_secret: CLIENT_SECRET,
    });
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(await storedEnd()).toBeGreaterThanOrEqual(Date.now() + RATE_LIMIT_QUIET_MS - 1_000);
  });
});

describe('the stored end only moves later and tolerates clock skew', () => {
  /** One invocation as OCP runs it, on its own worker's clock. */
  const deliverOn = (clockOffsetMs: number, id: number) =>
    deliverBatch(
      { items: [{ asset_id: assetId(id), description: 'x' }], attempt: 1, sync: { id: 's', name: 'S' } },
      {
        settings: storage.settings,
        secrets: storage.secrets,
        kvStore: storage.kvStore,
        logger,
        notifier: notifications,
        random: systemRandom,
        clock: clockAhead(clockOffsetMs),
      },
    );

  it('a worker whose clock is behind, storing last, does not shorten the block', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    // Both workers read "no block" and send; the one on time is answered first, the slow clock last.
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(1)}/`, status: 429, delayMs: 50 });
    emulator.faults.add({ match: `POST /api/v4/media/${assetId(2)}/`, status: 429, delayMs: 400 });
    const before = Date.now();
    await Promise.all([deliverOn(0, 1), deliverOn(-90_000, 2)]);
    expect(emulator.requests(WRITE).map((r) => r.status)).toEqual([429, 429]);
    expect(await storedEnd()).toBeGreaterThanOrEqual(before + RATE_LIMIT_QUIET_MS);
  });

  it('a worker up to 20 s behind still stores an end past the true one', async () => {
    await configureApp(emulator.url);
    emulator.faults.add({ match: WRITE, status: 429, times: 1 });
    const before = Date.now();
    await deliverOn(-20_000, 1);
    expect(await storedEnd()).toBeGreaterThanOrEqual(before + RATE_LIMIT_QUIET_MS);
  });
});
