import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { READINESS_CACHE_MS } from '../../src/lib/settings/readiness';
import { configureApp, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// Destination.ready(): configuration and credentials, answered with a message a person can act on,
// and at most one request to Bynder a minute.

const emulator = useEmulator({ tokens: [{ token: TOKEN }] });

beforeEach(() => {
  emulator.seed(portalSeed());
  emulator.clearRequests();
});

describe('BynderAssetSync.ready against the emulator', () => {
  it('says what to configure when nothing is saved, without a request', async () => {
    resetLocalStores();
    const result = await new BynderAssetSync().ready();
    expect(result.ready).toBe(false);
    expect(result.message).toMatch(/^The Bynder app is not configured/);
    expect(emulator.requests()).toEqual([]);
  });

  it('is ready with working credentials, and asks Bynder at most once a minute', async () => {
    await configureApp(emulator.url);
    expect(await new BynderAssetSync().ready()).toEqual({
      ready: true,
      message: `Connected to ${emulator.url}`,
    });
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    expect(emulator.requests()).toHaveLength(1);

    BynderAssetSync.clockOverride = clockAhead(READINESS_CACHE_MS + 1_000);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    expect(emulator.requests()).toHaveLength(2);
  });

  it('is not ready when Bynder refuses the token, and says how to fix it without showing it', async () => {
    await configureApp(emulator.url, { token: 'revoked-token-123' });
    const result = await new BynderAssetSync().ready();
    expect(result.ready).toBe(false);
    expect(result.message).toContain('refused the permanent token');
    expect(result.message).not.toContain('revoked-token-123');
  });

  it('checks again at once when the credentials change', async () => {
    await configureApp(emulator.url, { token: 'revoked-token-123' });
    expect((await new BynderAssetSync().ready()).ready).toBe(false);
    await configureApp(emulator.url);
    expect((await new BynderAssetSync().ready()).ready).toBe(true);
  });
});

/**
 * Every call the app makes to the SDK's public storage functions (settings, secrets, kvStore), by
 * store and method. Spied on the store objects `storage` hands out, so it counts the same with the
 * real SDK and the stand-in. incrementMulti is left out: both SDKs' increment calls it.
 */
function countStoreCalls(): { calls: () => Record<string, number>; restore: () => void } {
  const stores = { settings: storage.settings, secrets: storage.secrets, kvStore: storage.kvStore };
  const methods = ['get', 'put', 'patch', 'delete', 'increment'] as const;
  const spies = Object.entries(stores).flatMap(([name, store]) =>
    methods
      .filter((method) => method in store)
      // The three stores share no type holding every method; each spied method exists (filtered above).
      .map(
        (method) => [`${name}.${method}`, vi.spyOn(store as never, method as never) as MockInstance] as const,
      ),
  );
  return {
    calls: () =>
      Object.fromEntries(
        spies.flatMap(([name, spy]) => (spy.mock.calls.length > 0 ? [[name, spy.mock.calls.length]] : [])),
      ),
    restore: () => spies.forEach(([, spy]) => spy.mockRestore()),
  };
}

describe('BynderAssetSync.ready: what it costs, called as often as OCP likes', () => {
  it('tests the connection with one request, then answers five more calls from its cached row', async () => {
    await configureApp(emulator.url);
    const first = countStoreCalls();
    try {
      expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
      expect(emulator.requests()).toHaveLength(1);
      // Config (3 settings sections, 1 secret); the readiness row and the rate-limit block; the
      // connection test's request-budget lease (increment, patch, patch to release it); the open
      // credentials notice (one read when none is open); the readiness row written.
      expect(first.calls()).toEqual({
        'settings.get': 3,
        'secrets.get': 1,
        'kvStore.get': 3,
        'kvStore.put': 1,
        'kvStore.patch': 2,
        'kvStore.increment': 1,
      });
    } finally {
      first.restore();
    }

    const again = countStoreCalls();
    try {
      for (let i = 0; i < 5; i += 1) {
        expect(await new BynderAssetSync().ready()).toEqual({
          ready: true,
          message: `Connected to ${emulator.url}`,
        });
      }
      // No request; per call the config and the two reads, nothing written.
      expect(emulator.requests()).toHaveLength(1);
      expect(again.calls()).toEqual({ 'settings.get': 15, 'secrets.get': 5, 'kvStore.get': 10 });
    } finally {
      again.restore();
    }
  });
});
