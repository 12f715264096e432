import { Lifecycle as AppLifecycle, logger, Request, resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { KV_ROWS } from '../../src/lib/state/kv-rows';

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
