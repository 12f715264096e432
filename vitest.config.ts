import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

import { SlowestFirstSequencer } from './test/setup/slowest-first-sequencer';

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
    env: { LOG_LEVEL: 'NEVER', ZAIUS_ENV: 'test', BYNDER_ALLOW_LOOPBACK_PORTAL: '1' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    // Much of the suite waits rather than computes (paced requests, stalled answers, child
    // processes), so one file more than there are cores runs at a time; vitest's own default on a
    // 2-core machine is a single file at a time.
    maxWorkers: availableParallelism() + 1,
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
          setupFiles: ['test/setup/fresh-state-per-file.ts'],
        },
      },
      {
        extends: true,
        // Each file starts its own emulator on a port of its own; the app's state lives in the
        // local stores, which the setup file empties, so these share workers as the unit tests do.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          isolate: false,
          setupFiles: ['test/setup/fresh-state-per-file.ts'],
        },
      },
      {
        extends: true,
        // Child processes, a browser, and any test file outside the folders above: each file in a
        // fresh process, as before.
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/integration/**', ...configDefaults.exclude],
        },
      },
    ],
  },
});
