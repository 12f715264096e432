import { resetLocalStores } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

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
