import { storage } from '@zaiusinc/app-sdk';
import { describe, expect, it, type MockInstance, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { readOutbox, slotOf } from '../../src/lib/state/outbox';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { fakeClock } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// The fixed cost of a batch: a one-record batch in steady state (the field model cached, the
// install's rows in place) makes at most 12 store calls in all (kvStore, settings and secrets).

const emulator = useEmulator({ tokens: [{ token: TOKEN }] });

/** Every store call, as `<store>.<method> <key>`, spied on the objects `storage` hands out. */
function recordStoreCalls(): { calls: string[]; restore: () => void } {
  const calls: string[] = [];
  const stores = { settings: storage.settings, secrets: storage.secrets, kvStore: storage.kvStore };
  const spies: MockInstance[] = [];
  for (const [name, store] of Object.entries(stores)) {
    for (const method of ['get', 'put', 'patch', 'delete', 'increment'] as const) {
      if (!(method in store)) continue;
      // The three stores share no type holding every method; each spied method exists (checked above).
      const methods = store as unknown as Record<string, (...args: unknown[]) => unknown>;
      const original = methods[method]!.bind(store);
      const spy = vi.spyOn(store as never, method as never) as MockInstance;
      spy.mockImplementation(((key: string, ...rest: unknown[]) => {
        calls.push(`${name}.${method} ${key.replace(/_[0-9a-f]{32}$/, '_<hash>')}`);
        return original(key, ...rest);
      }) as never);
      spies.push(spy);
    }
  }
  return { calls, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** The store calls of a one-record batch in steady state. */
const STEADY_STATE_CALLS = [
  // The batch's lease, which reads its ledger (one row, usually new), and its end.
  'kvStore.increment delivery_ledger_<hash>',
  'kvStore.patch delivery_ledger_<hash>',
  'kvStore.delete delivery_ledger_<hash>',
  'kvStore.get delivery_outbox',
  'kvStore.get delivery_rate_limit_block',
  'kvStore.get field_model_metaproperties',
  // One lease of the request budget for the read and the write.
  'kvStore.patch delivery_request_budget',
  // Read after Bynder's answer and noted before the write, in one update.
  'kvStore.patch delivery_recent_writes',
  'settings.get connection',
  'settings.get records',
  'settings.get throughput',
  'secrets.get connection',
].sort();

describe('the fixed cost of a batch', () => {
  it('makes at most 12 store calls for a one-record batch in steady state', async () => {
    emulator.seed(portalSeed());
    await configureApp(emulator.url);
    // Time moves only when the request budget waits for a slot, so a busy machine cannot make a
    // request start late, skip its slot and take a second lease: the count is the design's.
    BynderAssetSync.clockOverride = fakeClock(Date.now());
    expect(await deliver([{ asset_id: assetId(1), description: 'warm-up' }])).toEqual({ success: true });

    const recorded = recordStoreCalls();
    try {
      expect(await deliver([{ asset_id: assetId(2), description: 'changed' }])).toEqual({ success: true });
    } finally {
      recorded.restore();
      BynderAssetSync.clockOverride = undefined;
    }
    expect(recorded.calls.sort()).toEqual(STEADY_STATE_CALLS);
  });

  it('makes no store call more while a record kept for a retry waits and nothing changed', async () => {
    emulator.seed(portalSeed());
    await configureApp(emulator.url);
    BynderAssetSync.clockOverride = fakeClock(Date.now());
    // Rejected for a value that is no option: kept in the outbox (another row than asset 2's).
    expect(slotOf(assetId(3), '')).not.toBe(slotOf(assetId(2), ''));
    await deliver([{ asset_id: assetId(3), campaign: 'Autumn' }]);
    expect((await readOutbox(storage.kvStore)).kept).toHaveLength(1);
    expect(await deliver([{ asset_id: assetId(1), description: 'warm-up' }])).toEqual({ success: true });

    const recorded = recordStoreCalls();
    try {
      expect(await deliver([{ asset_id: assetId(2), description: 'changed' }])).toEqual({ success: true });
    } finally {
      recorded.restore();
      BynderAssetSync.clockOverride = undefined;
    }
    expect(recorded.calls.sort()).toEqual(STEADY_STATE_CALLS);
  });
});
