import { logger, notifications, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { devOverrides } from '../../src/destinations/sdk-deps';
import { CreateAssets } from '../../src/jobs/CreateAssets';
import { CREATION_JOB } from '../../src/lib/delivery/creation-job';
import { readCreationQueue } from '../../src/lib/state/creation-ledger';
import { useCreationPortal } from '../helpers/creation-portal';
import { deliver } from '../helpers/deliver-fixture';

// A record whose file (file_url, file_version) differs from what its asset was created or last
// versioned from makes one new version, exactly once; the fingerprint lives in Bynder, in a text
// metaproperty, so change detection's bulk read sees it. Time moves only on the fake clock.

const portal = useCreationPortal({ assets: 1, fingerprint: true });
const { clock, emulator } = portal;
const INIT = 'POST /api/upload/init/';
const SAVE_VERSION = 'POST /api/v4/media/:id/save/:importId/';

beforeEach(async () => {
  await portal.reset();
  emulator.configure({ applyDelayMs: 0 });
});
afterEach(() => {
  vi.restoreAllMocks();
  BynderAssetSync.timeBudgetMsOverride = undefined;
  devOverrides.jobs = undefined;
});

function assetWithKey(key: string) {
  const found = portal.assetsWithKey(key);
  expect(found).toHaveLength(1);
  return found[0] as { id: string; mediaItems?: unknown[]; property_file_source?: unknown };
}
const record = (key: string, extra: Record<string, unknown> = {}) => ({
  external_id: key,
  name: `Shoe ${key}`,
  file_url: portal.files.fileUrl('100k', 'shoe.jpg'),
  ...extra,
});

describe('new versions', () => {
  it('creates with the fingerprint, skips an unchanged file at no extra request, versions a changed one once', async () => {
    expect(await deliver([record('V-1')])).toEqual({ success: true });
    await emulator.settle();
    expect(assetWithKey('V-1').property_file_source).toMatch(/^[0-9a-f]{32}$/);
    expect(assetWithKey('V-1').mediaItems).toHaveLength(1);

    // Past the window in which an asset just written is always written again.
    clock.advance(10 * 60_000);
    emulator.clearRequests();
    expect(await deliver([record('V-1')], { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(INIT)).toHaveLength(0);
    expect(emulator.requests('GET /api/v4/media/:id/')).toHaveLength(0);

    expect(await deliver([record('V-1', { file_version: '2' })], { syncId: 'sync-3' })).toEqual({
      success: true,
    });
    await emulator.settle();
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);
    expect(assetWithKey('V-1').mediaItems).toHaveLength(2);

    // Delivered again at once (the fingerprint's modify not yet applied) and later: no second version.
    emulator.configure({ applyDelayMs: 60_000 });
    expect(await deliver([record('V-1', { file_version: '2' })], { syncId: 'sync-4' })).toEqual({
      success: true,
    });
    await emulator.settle();
    clock.advance(10 * 60_000);
    expect(await deliver([record('V-1', { file_version: '2' })], { syncId: 'sync-5' })).toEqual({
      success: true,
    });
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);
    expect(assetWithKey('V-1').mediaItems).toHaveLength(2);
  });

  it('a new version cut after its save resumes without a second version, and writes the fingerprint', async () => {
    expect(await deliver([record('V-2')])).toEqual({ success: true });
    await emulator.settle();
    clock.advance(10 * 60_000);
    // The version row's patches: 1 claim, 2 uploaded, 3 saving, 4 saved, 5 created. Die at 4.
    const patch = storage.kvStore.patch.bind(storage.kvStore);
    let creationPatches = 0;
    const spy = vi.spyOn(storage.kvStore, 'patch').mockImplementation((async (
      key: string,
      ...rest: unknown[]
    ) => {
      if (key.startsWith('creation_')) {
        creationPatches += 1;
        if (creationPatches >= 4) throw new Error('worker killed');
      }
      return (patch as (...args: unknown[]) => Promise<unknown>)(key, ...rest);
    }) as typeof storage.kvStore.patch);
    const cut = await deliver([record('V-2', { file_version: 'b' })], { syncId: 'sync-2' });
    spy.mockRestore();
    expect(cut).toMatchObject({ success: false, retryable: true });
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);

    clock.advance(10 * 60_000); // the dead worker's claim lapses
    expect(await deliver([record('V-2', { file_version: 'b' })], { syncId: 'sync-2', attempt: 2 })).toEqual({
      success: true,
    });
    await emulator.settle();
    // The save of the same import was sent again and answered 404: the version existed already.
    expect(emulator.requests(SAVE_VERSION).map((request) => request.status)).toEqual([201, 404]);
    expect(assetWithKey('V-2').mediaItems).toHaveLength(2);
    const before = assetWithKey('V-2').property_file_source;
    clock.advance(10 * 60_000);
    expect(await deliver([record('V-2', { file_version: 'b' })], { syncId: 'sync-3' })).toEqual({
      success: true,
    });
    expect(assetWithKey('V-2').property_file_source).toBe(before);
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(2);
  });

  it('queues a new version that does not fit the time budget, and the job saves it once', async () => {
    expect(await deliver([record('V-3')])).toEqual({ success: true });
    await emulator.settle();
    clock.advance(10 * 60_000);
    const triggered: string[] = [];
    devOverrides.jobs = {
      trigger: (name) => {
        triggered.push(name);
        return Promise.resolve();
      },
    };
    vi.spyOn(notifications, 'success').mockResolvedValue(undefined);
    const info = vi.spyOn(logger, 'info');
    emulator.clearRequests();

    BynderAssetSync.timeBudgetMsOverride = 8_000; // under the 10 s an upload needs to start
    const changed = record('V-3', { file_version: '2', name: 'Shoe V-3, renamed' });
    expect(await deliver([changed], { syncId: 'sync-2' })).toEqual({ success: true });
    const line = info.mock.calls
      .map((args) => String(args[0]))
      .find((text) => text.startsWith('Bynder delivery'));
    expect(line).toContain(
      '0 applied (0 unchanged), 0 rejected, 0 pending; 0 created, 0 versioned, 1 queued',
    );
    expect(emulator.requests(INIT)).toHaveLength(0);
    expect(triggered).toEqual([CREATION_JOB]);
    expect((await readCreationQueue(storage.kvStore)).entries).toHaveLength(1);
    await emulator.settle();
    expect(assetWithKey('V-3')).toMatchObject({ name: 'Shoe V-3, renamed' }); // other fields went now

    // Delivered again meanwhile: queued again, nothing uploaded.
    expect(await deliver([changed], { syncId: 'sync-3' })).toEqual({ success: true });
    expect(emulator.requests(INIT)).toHaveLength(0);

    BynderAssetSync.timeBudgetMsOverride = undefined;
    const job = new CreateAssets({ jobId: 'job-1', scheduledAt: new Date(0), parameters: {} });
    expect(await job.perform({ state: {}, complete: false })).toMatchObject({
      complete: true,
      state: { created: 0, versioned: 1, failed: 0, remaining: 0 },
    });
    await emulator.settle();
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);
    expect(assetWithKey('V-3').mediaItems).toHaveLength(2);
    expect(vi.mocked(notifications.success).mock.calls[0]?.[1]).toBe('Bynder new versions saved');

    // The job wrote the fingerprint: delivered again later, nothing more is uploaded.
    clock.advance(10 * 60_000);
    expect(await deliver([changed], { syncId: 'sync-4' })).toEqual({ success: true });
    expect(emulator.requests(INIT)).toHaveLength(1);
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);
  });

  it('hands over a new version the budget cuts while converting; the job saves it without uploading again', async () => {
    expect(await deliver([record('V-4')])).toEqual({ success: true });
    await emulator.settle();
    clock.advance(10 * 60_000);
    devOverrides.jobs = { trigger: () => Promise.resolve() };
    vi.spyOn(notifications, 'success').mockResolvedValue(undefined);
    emulator.clearRequests();

    BynderAssetSync.timeBudgetMsOverride = 14_000;
    emulator.configure({ conversionDelayMs: 60_000 }); // polls pass the budget on the fake clock
    const changed = record('V-4', { file_version: '2' });
    expect(await deliver([changed], { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(INIT)).toHaveLength(1);
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(0);
    expect((await readCreationQueue(storage.kvStore)).entries).toHaveLength(1);

    BynderAssetSync.timeBudgetMsOverride = undefined;
    clock.advance(60_000); // the import converts meanwhile
    const job = new CreateAssets({ jobId: 'job-1', scheduledAt: new Date(0), parameters: {} });
    expect(await job.perform({ state: {}, complete: false })).toMatchObject({ state: { versioned: 1 } });
    await emulator.settle();
    expect(emulator.requests(INIT)).toHaveLength(1); // resumed from the recorded import
    expect(emulator.requests(SAVE_VERSION)).toHaveLength(1);
    expect(assetWithKey('V-4').mediaItems).toHaveLength(2);
    emulator.configure({ conversionDelayMs: 2_000 });
  });
});
