import { storage } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll } from 'vitest';

import type { RunningEmulator } from '../../dev/bynder-emulator/server';
import { type RunningFileHost, startFileHost } from '../../dev/file-host/server';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { creationRowKey, readCreation } from '../../src/lib/state/creation-ledger';
import { configureApp, portalSeed, TOKEN } from './deliver-fixture';
import { type FakeClock, fakeClock } from './fake-clock';
import { useEmulator } from './use-emulator';

/** The brand new assets are saved into. */
export const BRAND = '00000000-0000-0000-0000000000000B01';
/** The text metaproperty holding each asset's file fingerprint (new versions). */
export const FILE_SOURCE = '2B3C4D5E-5555-4C44-8D55E66F77A88B99';

/** The emulator's routes of the upload flow's Bynder steps (S3 chunks aside), as its faults name them. */
export const UPLOAD_STEP_ROUTES = [
  'GET /api/upload/endpoint/',
  'POST /api/upload/init/',
  'POST /api/v4/upload/:id/',
  'GET /api/v4/upload/poll/',
  'POST /api/v4/media/save/:importId/',
  'POST /api/v4/media/:id/save/:importId/',
] as const;

export interface CreationPortal {
  /** The fake clock the emulator (conversions) and deliver() (claims, budgets) share. */
  clock: FakeClock;
  emulator: RunningEmulator;
  /** The loopback file host the records' file_url points at (started in beforeAll). */
  readonly files: RunningFileHost;
  /**
   * Seeds the portal afresh, clears faults and the request log, and configures the app in
   * external-key mode (external_id) with "Records whose asset does not exist" = create, on the clock.
   */
  reset(): Promise<void>;
  /** The assets whose external_id is `key`, as the emulator holds them. */
  assetsWithKey(key: string): ReturnType<RunningEmulator['snapshot']>['assets'];
  /** The creation ledger's row of `key`. */
  ledgerOf(key: string): ReturnType<typeof readCreation>;
}

/**
 * The set-up the creation and new-version tests share: an emulator and a file host for the calling
 * file, and a portal whose missing assets the app creates. `fingerprint`: the portal has the text
 * metaproperty `file_source` and the app keeps file fingerprints there (new versions on).
 */
export function useCreationPortal(
  options: { assets?: number; fingerprint?: boolean; random?: () => number } = {},
): CreationPortal {
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const emulator = useEmulator({
    tokens: [{ token: TOKEN }],
    rateLimit: false,
    clock,
    conversionDelayMs: 2_000,
    ...(options.random ? { random: options.random } : {}),
  });
  let files: RunningFileHost | undefined;
  beforeAll(async () => {
    files = await startFileHost();
  });
  afterAll(async () => {
    await files?.stop();
    files = undefined;
    BynderAssetSync.clockOverride = undefined;
  });
  return {
    clock,
    emulator,
    get files() {
      if (!files) throw new Error('files read outside a test: useCreationPortal() starts it in beforeAll');
      return files;
    },
    reset: async () => {
      const seed = portalSeed({ assets: options.assets ?? 2 });
      if (options.fingerprint === true) {
        seed.metaproperties.file_source = {
          id: FILE_SOURCE,
          name: 'file_source',
          label: 'File source',
          type: 'text',
          zindex: 5,
        };
      }
      emulator.seed(seed);
      emulator.faults.clear();
      emulator.clearRequests();
      await configureApp(emulator.url, {
        primary_key: 'external_key',
        external_key_metaproperty: 'external_id',
        missing_assets: 'create',
        brand_id: BRAND,
        ...(options.fingerprint === true ? { file_fingerprint_metaproperty: 'file_source' } : {}),
      });
      BynderAssetSync.clockOverride = clock;
    },
    assetsWithKey: (key) =>
      emulator.snapshot().assets.filter((asset) => {
        const held = asset.property_external_id;
        return held === key || (Array.isArray(held) && held.includes(key));
      }),
    ledgerOf: (key) => readCreation(storage.kvStore, creationRowKey('external_id', key)),
  };
}
