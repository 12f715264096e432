import { resetLocalStores } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';

// For the test files that share a worker (isolate: false in vitest.config.ts, the unit tests):
// modules are loaded once per worker, so what one file leaves in them would reach the next. Each
// file starts with empty local stores and no clock or budget override, as in a fresh process, and
// ends with its environment stubs, fake timers and spies undone even if its own hooks forgot one.

// A library a file loads may replace a global for good (Bynder's JavaScript SDK replaces FormData
// with the form-data package's): each file starts with the one this worker started with.
const NATIVE_FORM_DATA = Symbol.for('fresh-state-per-file: the FormData this worker started with');
const kept = globalThis as typeof globalThis & { [NATIVE_FORM_DATA]?: typeof FormData };
kept[NATIVE_FORM_DATA] ??= globalThis.FormData;

beforeAll(() => {
  globalThis.FormData = kept[NATIVE_FORM_DATA] ?? globalThis.FormData;
  resetLocalStores();
  BynderAssetSync.clockOverride = undefined;
  BynderAssetSync.timeBudgetMsOverride = undefined;
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});
