import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

import { SlowestFirstSequencer } from './test/setup/slowest-first-sequencer';

/**
 * Files that measure rates, windows of arrivals or requests in flight against real time: one at a
 * time, at normal priority. `npm test` runs them in a vitest of their own from its start, beside the
 * rest, whose workers lower their CPU priority (test/setup/yield-to-timing-files.ts), so that a
 * neighbouring file's load cannot move what these measure; they mostly wait, so the rest of the
 * suite uses the cores meanwhile. A plain `vitest run` runs them after every other file.
 */
const TIMING_FILES = [
  'test/integration/workers-request-budget.test.ts',
  'test/integration/chaos-workers.test.ts',
  'test/integration/chaos-workers-create.test.ts',
  'test/integration/chaos.test.ts',
  'test/integration/deliver-request-budget.test.ts',
  'test/integration/client-metaproperty-listing.test.ts',
];

/**
 * Integration files that need a process of their own: they replace modules (vi.mock), or load Bynder's
 * JavaScript SDK, whose isomorphic-form-data replaces the global FormData for every later file.
 */
const OWN_PROCESS_FILES = [
  'test/integration/deliver-notices.test.ts',
  'test/integration/security-ssrf.test.ts',
  'test/integration/emulator-bynder-js-sdk.test.ts',
  'test/integration/emulator-upload-js-sdk.test.ts',
];

const YIELD = 'test/setup/yield-to-timing-files.ts';

// The real @zaiusinc/app-sdk when an OCP build installed it; the local stand-in otherwise.
// Decided once, when this config loads (see README, "Which SDK runs").
// __dirname: Vite defines it for config files, which it bundles before loading.
const realSdkInstalled = existsSync(path.join(__dirname, 'node_modules/@zaiusinc/app-sdk'));
const standIn = path.join(__dirname, 'dev/app-sdk/index.ts');

export default defineConfig({
  resolve: {
    alias: realSdkInstalled ? {} : { '@zaiusinc/app-sdk': standIn },
  },
  test: {
    environment: 'node',
    setupFiles: ['test/setup/loopback-only.ts'],
    // Tests point the app at the emulator on loopback, which only development allows.
    // A local sync saves its stores for `outbox` (dev/cli/last-run.ts): a test's runs go to the
    // temporary folder, never over the developer's own last run.
    env: {
      LOG_LEVEL: 'NEVER',
      ZAIUS_ENV: 'test',
      BYNDER_ALLOW_LOOPBACK_PORTAL: '1',
      BYNDER_LAST_RUN_FILE: path.join(os.tmpdir(), `bynder-test-last-run-${process.pid}.json`),
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    // Much of the suite waits rather than computes (paced requests, stalled answers, child
    // processes), so as many files as there are cores run at a time (at least 2); vitest's own
    // default is one fewer, a single file at a time on 2 cores.
    // One more than there are cores: most files mostly wait (child processes, paced requests).
    maxWorkers: Math.max(2, os.availableParallelism()) + 1,
    // The slowest files start first (see the sequencer), so the run does not end on a long one.
    sequence: { sequencer: SlowestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Files share a worker and the modules it loaded, which saves loading them again for each
          // file (most of a short file's time). The extra setup file gives each file the fresh state
          // a new process would: empty local stores, no clock override, no stubs left over.
          isolate: false,
          setupFiles: ['test/setup/fresh-state-per-file.ts', YIELD],
        },
      },
      {
        extends: true,
        // Emulators and the app's entry points in process, and the end-to-end files (the CLI as a
        // child process, a browser): files share a worker, as the unit files do, with the same
        // fresh state per file. An end-to-end file mostly waits on its children, and a process of
        // its own cost about 1.5 s of CPU to start vitest's runner again.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: [...TIMING_FILES, ...OWN_PROCESS_FILES, ...configDefaults.exclude],
          isolate: false,
          setupFiles: ['test/setup/fresh-state-per-file.ts', YIELD],
        },
      },
      {
        extends: true,
        // Module mocks, and libraries that replace globals: each file in a fresh process.
        test: {
          name: 'own-process',
          include: OWN_PROCESS_FILES,
          setupFiles: [YIELD],
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: TIMING_FILES,
          fileParallelism: false,
          // Arrivals are stamped by this process's event loop, which also serves the workers' stores
          // on 2 cores: once in a few dozen runs a stamp lags past the allowance and a window counts
          // one request too many. A real breach of the budget (pacing per process puts twice the
          // budget in a window) fails every try; a lagging stamp does not repeat.
          retry: 2,
        },
      },
    ],
  },
});
