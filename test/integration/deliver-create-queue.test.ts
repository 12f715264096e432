import { logger, notifications, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { devOverrides } from '../../src/destinations/sdk-deps';
import { CreateAssets } from '../../src/jobs/CreateAssets';
import { CREATION_JOB } from '../../src/lib/delivery/creation-job';
import { readCreationQueue } from '../../src/lib/state/creation-ledger';
import { readRejectionLog } from '../../src/lib/state/rejection-log';
import { BRAND, useCreationPortal } from '../helpers/creation-portal';
import { deliver } from '../helpers/deliver-fixture';

// What does not fit deliver()'s time budget is queued for creation: the batch may answer success, the
// records are counted queued (never applied), and the creation job goes on with them from the ledger
// where they stand and reports each end in the Activity Log. Time moves only on the fake clock.

const portal = useCreationPortal();
const { clock, emulator, assetsWithKey, ledgerOf } = portal;
const INIT = 'POST /api/upload/init/';
const SAVE = 'POST /api/v4/media/save/:importId/';

const triggered: string[] = [];
beforeEach(async () => {
  await portal.reset();
  emulator.configure({ conversionDelayMs: 2_000 });
  triggered.length = 0;
  devOverrides.jobs = {
    trigger: (name) => {
      triggered.push(name);
      return Promise.resolve();
    },
  };
  for (const severity of ['success', 'error', 'warn', 'info'] as const) {
    vi.spyOn(notifications, severity).mockResolvedValue(undefined);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  BynderAssetSync.timeBudgetMsOverride = undefined;
  devOverrides.jobs = undefined;
});

const record = (key: string, file = portal.files.fileUrl('100k', 'shoe.jpg')) => ({
  external_id: key,
  name: `Shoe ${key}`,
  file_url: file,
});
const runJob = () =>
  new CreateAssets({ jobId: 'job-1', scheduledAt: new Date(0), parameters: {} }).perform({
    state: {},
    complete: false,
  });
const notices = (severity: 'success' | 'error') =>
  vi.mocked(notifications[severity]).mock.calls as string[][];

describe('queued for creation', () => {
  it('queues a creation that does not fit the budget: success, counted queued, the job triggered', async () => {
    BynderAssetSync.timeBudgetMsOverride = 8_000; // under the 10 s a creation needs to start
    const info = vi.spyOn(logger, 'info');
    expect(await deliver([record('Q-1')])).toEqual({ success: true });
    const line = info.mock.calls
      .map((args) => String(args[0]))
      .find((text) => text.startsWith('Bynder delivery'));
    expect(line).toContain(
      '0 applied (0 unchanged), 0 rejected, 0 pending; 0 created, 0 versioned, 1 queued for creation;',
    );
    expect(emulator.requests(INIT)).toHaveLength(0);
    expect(triggered).toEqual([CREATION_JOB]);
    expect(await ledgerOf('Q-1')).toMatchObject({ step: 'uploading', queued: true });
    expect((await readCreationQueue(storage.kvStore)).entries).toHaveLength(1);

    // A re-delivery meanwhile is queued too: it starts nothing.
    expect(await deliver([record('Q-1')], { syncId: 'sync-2' })).toEqual({ success: true });
    expect(emulator.requests(INIT)).toHaveLength(0);

    BynderAssetSync.timeBudgetMsOverride = undefined;
    expect(await runJob()).toMatchObject({ complete: true, state: { created: 1, failed: 0, remaining: 0 } });
    expect(assetsWithKey('Q-1')).toHaveLength(1);
    expect(assetsWithKey('Q-1')[0]).toMatchObject({ name: 'Shoe Q-1', brandId: BRAND });
    expect(notices('success')).toEqual([
      [
        expect.any(String),
        'Bynder assets created',
        expect.stringContaining('1 asset was created from queued records: "Q-1"'),
        expect.any(String),
      ],
    ]);
    expect((await readCreationQueue(storage.kvStore)).entries).toHaveLength(0);

    // Delivered again later: the asset is found, nothing is created.
    expect(await deliver([record('Q-1')], { syncId: 'sync-3' })).toEqual({ success: true });
    expect(emulator.requests(SAVE)).toHaveLength(1);
  });

  it('hands over a creation the budget cuts mid-way, and the job resumes it without uploading again', async () => {
    BynderAssetSync.timeBudgetMsOverride = 14_000;
    emulator.configure({ conversionDelayMs: 60_000 }); // polls pass the budget on the fake clock
    expect(await deliver([record('Q-2')])).toEqual({ success: true });
    expect(await ledgerOf('Q-2')).toMatchObject({ step: 'uploaded', queued: true });
    expect(emulator.requests(INIT)).toHaveLength(1);
    expect(emulator.requests(SAVE)).toHaveLength(0);

    BynderAssetSync.timeBudgetMsOverride = undefined;
    clock.advance(60_000); // the import converts meanwhile
    expect(await runJob()).toMatchObject({ state: { created: 1 } });
    expect(emulator.requests(INIT)).toHaveLength(1); // resumed from the recorded import
    expect(assetsWithKey('Q-2')).toHaveLength(1);
  });

  it('reports a queued creation that fails in the Activity Log and keeps its reason', async () => {
    BynderAssetSync.timeBudgetMsOverride = 8_000;
    expect(await deliver([record('Q-3', portal.files.fileUrl('100k', 'shoe.jpg', { status: 404 }))])).toEqual(
      {
        success: true,
      },
    );
    BynderAssetSync.timeBudgetMsOverride = undefined;
    expect(await runJob()).toMatchObject({ state: { created: 0, failed: 1, remaining: 0 } });
    expect(assetsWithKey('Q-3')).toHaveLength(0);
    expect(notices('error')).toEqual([
      [
        expect.any(String),
        'Bynder assets not created',
        expect.stringContaining('"Q-3"'),
        expect.stringMatching(/^First reason: /),
      ],
    ]);
    expect(await readRejectionLog(storage.kvStore)).toEqual([
      expect.objectContaining({ key: 'Q-3', sync: 'creation job', reason: expect.stringMatching(/404/) }),
    ]);
    expect(await ledgerOf('Q-3')).toMatchObject({ step: 'failed' });
  });
});
