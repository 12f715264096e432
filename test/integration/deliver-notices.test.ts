import { notifications, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { READINESS_CACHE_MS } from '../../src/lib/settings/readiness';
import { systemClock } from '../../src/lib/runtime-ports';
import { METAPROPERTY_FRESH_MS } from '../../src/lib/fields/metaproperty-cache';
import { NOTICE_INTERVAL_MS } from '../../src/lib/notices/notice-throttle';
import { assetId, configureApp, deliver, portalSeed, TOKEN, watchWarnings } from '../helpers/deliver-fixture';
import { clockAhead } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// The Activity Log notices of ready() and deliver(), as OCP would receive them: through the SDK's
// public notifications functions, from the destination class OCP runs, against the emulator.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';

const calls = (severity: 'warn' | 'error' | 'success') =>
  vi.mocked(notifications[severity]).mock.calls as string[][];
const titles = (severity: 'warn' | 'error' | 'success') => calls(severity).map((call) => call[1]);

beforeEach(async () => {
  emulator.seed(portalSeed());
  emulator.faults.clear();
  await configureApp(emulator.url);
  for (const severity of ['info', 'success', 'warn', 'error'] as const) {
    vi.spyOn(notifications, severity).mockResolvedValue(undefined);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  BynderAssetSync.clockOverride = undefined;
});

describe('Activity Log notices from ready()', () => {
  it('says the token stopped working, without it, and once that it works again', async () => {
    await storage.secrets.put('connection', { token: 'revoked-token-123' });
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
    BynderAssetSync.clockOverride = clockAhead(READINESS_CACHE_MS + 1_000);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
    expect(titles('error')).toEqual(["Bynder refused the app's credentials"]);
    expect(calls('error')[0]?.[2]).toContain('refused the permanent token (401)');
    expect(JSON.stringify(calls('error'))).not.toContain('revoked-token-123');

    await storage.secrets.put('connection', { token: TOKEN });
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    BynderAssetSync.clockOverride = clockAhead(2 * READINESS_CACHE_MS + 2_000); // checked again: said once
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: true });
    expect(titles('success')).toEqual(["Bynder accepts the app's credentials again"]);
    expect(calls('success')[0]?.[2]).toContain(emulator.url);
  });
});

describe('Activity Log notices from deliver()', () => {
  it('summarises rejected records once an hour per sync', async () => {
    const bad = [
      { asset_id: assetId(1), campaign: 'Sumer' },
      { asset_id: assetId(2), campaign: 'Wintr' },
      { asset_id: assetId(3), description: 'fine' },
    ];
    await deliver(bad);
    await deliver(bad, { attempt: 2 });
    expect(titles('warn')).toEqual(['Sync "Assets to Bynder": 2 records rejected']);
    const [, , summary, details] = calls('warn')[0] ?? [];
    expect(summary).toContain('2 of 3 records');
    expect(summary).toContain('2 × campaign: "…" is not an option');
    expect(details).toContain(`First rejected: asset_id "${assetId(1)}", asset_id "${assetId(2)}"`);

    BynderAssetSync.clockOverride = clockAhead(NOTICE_INTERVAL_MS + 1_000);
    await deliver(bad, { attempt: 3 });
    expect(titles('warn')).toHaveLength(2);
  });

  it('says a cause again on the next batch when sending its notice failed, not an hour later', async () => {
    const bad = [{ asset_id: assetId(1), campaign: 'Sumer' }];
    // The SDK's notifications refuse the first notice (the Activity Log was unreachable).
    vi.mocked(notifications.warn).mockRejectedValueOnce(new Error('Activity Log unavailable'));
    const warnings = watchWarnings();
    await deliver(bad);
    expect(warnings.lines().join('\n')).toContain('Could not send the Activity Log notice about rejected');
    warnings.restore();
    expect(calls('warn')).toHaveLength(1); // tried, refused

    // The next batch of the same sync, within the hour: the notice was never said, so it is sent now.
    await deliver(bad, { attempt: 2 });
    expect(titles('warn')).toEqual([
      'Sync "Assets to Bynder": 1 record rejected',
      'Sync "Assets to Bynder": 1 record rejected',
    ]);
    // Once said, the throttle holds it for the hour as before.
    await deliver(bad, { attempt: 3 });
    expect(calls('warn')).toHaveLength(2);
  });

  it('says refused credentials again after the notice saying so could not be sent', async () => {
    await storage.secrets.put('connection', { token: 'revoked-token-123' });
    vi.mocked(notifications.error).mockRejectedValueOnce(new Error('Activity Log unavailable'));
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
    BynderAssetSync.clockOverride = clockAhead(READINESS_CACHE_MS + 1_000);
    expect(await new BynderAssetSync().ready()).toMatchObject({ ready: false });
    expect(titles('error')).toEqual([
      "Bynder refused the app's credentials",
      "Bynder refused the app's credentials",
    ]);
  });

  it('names a mapped field Bynder no longer has', async () => {
    await deliver([{ asset_id: assetId(1), usage_notes: 'before' }]);
    emulator.seed(portalSeed({ withUsageNotes: false }));
    BynderAssetSync.clockOverride = clockAhead(METAPROPERTY_FRESH_MS + 60_000);
    await deliver([{ asset_id: assetId(2), usage_notes: 'gone', description: 'd2' }]);
    await deliver([{ asset_id: assetId(3), usage_notes: 'gone too' }]);
    expect(titles('warn')).toEqual([
      'Sync "Assets to Bynder": mapped field "usage_notes" is no longer in Bynder',
    ]);
  });

  it("says until when Bynder's rate limit blocks delivery and what to lower, once", async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    emulator.faults.add({ match: POST, status: 429, times: 1 });
    await deliver([{ asset_id: assetId(1), description: 'x' }]);
    await deliver([{ asset_id: assetId(1), description: 'x' }], { attempt: 2 }); // paused: no request
    expect(titles('warn')).toEqual(['Sync "Assets to Bynder": Bynder\'s rate limit blocked delivery']);
    const [, , summary, details] = calls('warn')[0] ?? [];
    expect(summary).toMatch(/until about \d{4}-\d\d-\d\dT/);
    expect(details).toContain('Lower "Requests per second"');
  });

  it('says records were parked when a block outlasts the retries, and again when they are delivered', async () => {
    await configureApp(emulator.url, { max_in_flight: 1 });
    emulator.faults.add({ match: POST, status: 429, times: 1 });
    const batch = [1, 2].map((n) => ({ asset_id: assetId(n), description: `parked ${n}` }));
    for (const attempt of [1, 2, 3, 4]) await deliver(batch, { attempt });
    expect(titles('warn')).toContain('Sync "Assets to Bynder": 2 records parked for a later delivery');
    const parked = calls('warn').find((call) => call[1]?.includes('parked'));
    expect(parked?.[2]).toContain('(not sent: Bynder rate-limit block)');
    expect(parked?.[3]).toContain('every 15 minutes');

    const block = await readRateLimitBlock(storage.kvStore, systemClock);
    BynderAssetSync.clockOverride = clockAhead((block?.blockedUntil ?? 0) - Date.now() + 1_000);
    await deliver([{ asset_id: assetId(9), description: 'after' }], { syncId: 'sync-2' });
    expect(titles('success')).toEqual(['Sync "parked records (outbox)": 2 parked records delivered']);
    expect(calls('success')[0]?.[2]).toContain('none are left parked');
  });

  it('says the credentials were refused when a 401 stops a batch, once for all syncs', async () => {
    await deliver([{ asset_id: assetId(1), description: 'x' }]); // field model cached
    emulator.configure({ tokens: [{ token: 'someone-else-token-4d8b' }] });
    await deliver([{ asset_id: assetId(2), description: 'y' }]);
    await deliver([{ asset_id: assetId(3), description: 'z' }], { syncId: 'sync-2' });
    emulator.configure({ tokens: [{ token: TOKEN }] });
    expect(titles('error')).toEqual(["Bynder refused the app's credentials"]);
    expect(JSON.stringify(calls('error'))).not.toContain(TOKEN);
  });
});
