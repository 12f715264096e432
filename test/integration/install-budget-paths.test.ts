import { logger, resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { configureApp, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Every path that sends draws from the install's one budget, not only deliver(): while another
// invocation holds the next stretch of the timeline (the row's `next` ahead of now, as a running
// delivery on another worker leaves it), ready(), the schema function and the settings form's
// connection test each wait for it. Asserted on the emulator's arrival times.

const emulator = useEmulator({ seed: 'demo-portal', tokens: [{ token: TOKEN }] });
/** How far ahead another invocation holds the timeline. */
const HELD_MS = 600;

/** As another invocation's lease leaves the row: its slots run until `HELD_MS` from now. */
async function holdTimeline(): Promise<number> {
  const until = Date.now() + HELD_MS;
  await storage.kvStore.put(KV_ROWS.requestBudget.key, { next: until, updates: 1 });
  emulator.clearRequests();
  return until;
}

const firstArrival = () => Math.min(...emulator.requests().map((request) => request.at));

beforeEach(async () => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  await configureApp(emulator.url);
});

afterEach(() => {
  vi.restoreAllMocks();
  resetLocalStores();
});

describe('one request budget for every path of the install', () => {
  it('ready() waits for the slots another invocation holds before its connection check', async () => {
    const until = await holdTimeline();
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    expect(firstArrival()).toBeGreaterThanOrEqual(until - 5);
  });

  it('the schema function waits for them before listing metaproperties', async () => {
    const until = await holdTimeline();
    await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    expect(firstArrival()).toBeGreaterThanOrEqual(until - 5);
  });

  it("the settings form's connection test waits for them too", async () => {
    const until = await holdTimeline();
    const result = await new Lifecycle().onSettingsForm('connection', 'test_connection', {
      portal: emulator.url,
      auth_method: 'permanent_token',
      token: TOKEN,
    });
    expect(result.getResponse('connection').toasts?.[0]?.intent).toBe('success');
    expect(firstArrival()).toBeGreaterThanOrEqual(until - 5);
  });

  it('moves the timeline on by what each path sent, so the next invocation starts after it', async () => {
    const until = await holdTimeline();
    await new BynderAssetSync().ready();
    const row = await storage.kvStore.get(KV_ROWS.requestBudget.key);
    expect(row.next).toBeGreaterThan(until);
  });
});
