import { Lifecycle as AppLifecycle, logger, Request, resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { encodeListing } from '../../src/lib/fields/cached-listing';
import { serializeListing, writeMetapropertyCache } from '../../src/lib/fields/metaproperty-cache';
import type { KeyValueStore } from '../../src/lib/runtime-ports';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { fakeClock } from '../helpers/fake-clock';

const lifecycle = new Lifecycle();
// Every row the app writes, named by its owner (not through APP_KV_ROWS, so a row missing there fails).
const ROWS = [
  KV_ROWS.metaproperties.key,
  KV_ROWS.rateLimitBlock.key,
  KV_ROWS.externalKeys.key,
  KV_ROWS.readiness.key,
  KV_ROWS.rejections.key,
  KV_ROWS.notices.key,
];

beforeEach(() => {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation(() => undefined);
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  resetLocalStores();
});

describe('lifecycle hooks', () => {
  it('extends the SDK Lifecycle', () => {
    expect(lifecycle).toBeInstanceOf(AppLifecycle);
  });

  it('installs, upgrades and can always be uninstalled', async () => {
    expect(await lifecycle.onInstall()).toEqual({ success: true });
    expect(await lifecycle.onFinalizeUpgrade('1.0.0')).toEqual({ success: true });
    expect(await lifecycle.onAfterUpgrade()).toEqual({ success: true });
    expect(await lifecycle.canUninstall()).toEqual({ uninstallable: true });
  });

  it('onUpgrade drops the cached metaproperties, and is idempotent', async () => {
    await storage.kvStore.put(KV_ROWS.metaproperties.key, { json: '[]' });
    expect(await lifecycle.onUpgrade('1.0.0')).toEqual({ success: true });
    expect(await lifecycle.onUpgrade('1.0.0')).toEqual({ success: true });
    expect(await storage.kvStore.get(KV_ROWS.metaproperties.key)).toEqual({});
  });

  it("onUninstall removes the app's kvStore rows and nothing else", async () => {
    for (const key of ROWS) await storage.kvStore.put(key, { x: 1 });
    await storage.kvStore.put('someone_else', { x: 1 });
    expect(await lifecycle.onUninstall()).toEqual({ success: true });
    for (const key of ROWS) expect(await storage.kvStore.get(key)).toEqual({});
    expect(await storage.kvStore.get('someone_else')).toEqual({ x: 1 });
  });

  it('onUninstall removes every row of the cached metaproperties, both slots of shards included', async () => {
    const written = new Set<string>();
    const kvStore: KeyValueStore = {
      ...storage.kvStore,
      get: (key, fields) => storage.kvStore.get(key, fields),
      put: (key, value, rowOptions) => (
        written.add(key),
        storage.kvStore.put(key, value as never, rowOptions)
      ),
      patch: (key, value) => (written.add(key), storage.kvStore.patch(key, value as never)),
      increment: (key, field, amount) => (written.add(key), storage.kvStore.increment(key, field, amount)),
      delete: (key) => storage.kvStore.delete(key),
    };
    const options = Array.from({ length: 20_000 }, (_, o) => ({
      id: `0B7100E0-0000-4000-8000-${String(o).padStart(12, '0')}`,
      name: `PRD-${o}`,
    }));
    const clock = fakeClock();
    for (const round of [1, 2]) {
      // Two copies: the second goes to the other slot.
      const metaproperties = [{ id: `MP-${round}`, name: 'product_code', type: 'select', options }];
      const { json, hash } = serializeListing(encodeListing({ metaproperties, skipped: [] }));
      const entry = { portalUrl: 'https://acme.bynder.com', fetchedAt: clock.now(), json, hash };
      expect(await writeMetapropertyCache({ kvStore, logger, clock }, entry)).toMatchObject({
        kind: 'published',
      });
    }
    expect(written.size).toBeGreaterThan(6); // the head and at least three shards in each slot
    expect(await lifecycle.onUninstall()).toEqual({ success: true });
    for (const key of written) expect(await storage.kvStore.get(key)).toEqual({});
  });

  it('onAuthorizationRequest says the authorization-code flow is not offered', async () => {
    const response = (await lifecycle.onAuthorizationRequest('connection', {})).getResponse('connection');
    expect(response.toasts?.[0]?.intent).toBe('danger');
    expect(response.toasts?.[0]?.message).toContain('does not offer signing in through Bynder');
    expect(Object.keys(response.errors ?? {})).toEqual(['connection.auth_method']);
  });

  it('onAuthorizationGrant sends the person back to the connection section with the same message', async () => {
    // The SDK types the method as its HttpMethod; the value on the wire is the plain string.
    const method = 'GET' as ConstructorParameters<typeof Request>[0];
    const request = new Request(method, '/grant', { code: 'x' }, [], null);
    const response = (await lifecycle.onAuthorizationGrant(request)).getResponse();
    expect(response).toMatchObject({ redirect: 'connection', redirectMode: 'settings' });
    expect(response.toasts?.[0]?.message).toContain('does not offer signing in through Bynder');
  });

  it('answers an unknown section or action with a danger toast', async () => {
    const response = (await lifecycle.onSettingsForm('connection', 'launch', {})).getResponse('connection');
    expect(response.toasts?.[0]).toMatchObject({ intent: 'danger' });
    expect(response.toasts?.[0]?.message).toContain('does not handle "launch" in section "connection"');
    const unknown = (await lifecycle.onSettingsForm('__proto__', 'save', {})).getResponse('__proto__');
    expect(unknown.toasts?.[0]?.intent).toBe('danger');
  });
});
