import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

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
    include: ['test/**/*.test.ts'],
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
  },
});
