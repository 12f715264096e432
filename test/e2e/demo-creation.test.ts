import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { logger, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { DEMO_PORTAL_PATH } from '../../dev/bynder-emulator/seed';
import { startEmulator, type RunningEmulator } from '../../dev/bynder-emulator/server';
import { exitCode } from '../../dev/cli/exit-codes';
import { addFingerprintMetaproperty } from '../../dev/cli/demo/demo-creation';
import { runCreatingSync } from '../../dev/cli/demo/demo-run';
import { emulatorTarget } from '../../dev/cli/sync/targets/emulator-target';
import { startFileHost, type RunningFileHost } from '../../dev/file-host/server';
import { deleteAppKvRows } from '../../src/lib/state/kv-rows';

// The demo's second sync (`npm start`, after examples/assets.csv): external-key mode creating assets
// from files on a loopback file host, and one new version, then its read-back. Run in process, on the
// demo portal, without the first sync (which only costs time here).

let emulator: RunningEmulator;
let files: RunningFileHost;
let folder: string;
let printed: string[];

beforeEach(async () => {
  await deleteAppKvRows(storage.kvStore, logger);
  emulator = await startEmulator({ port: 0, seed: DEMO_PORTAL_PATH });
  files = await startFileHost();
  folder = await mkdtemp(path.join(os.tmpdir(), 'demo-creation-'));
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await files.stop();
  await emulator.stop();
  await rm(folder, { recursive: true, force: true });
});

const run = () =>
  runCreatingSync(emulatorTarget(emulator, 'demo portal', { stopOnFinish: false }), files.url, folder);

describe('the demo creating sync', () => {
  it('creates one asset per new key from the file host, versions the known one, and reads them back', async () => {
    addFingerprintMetaproperty(emulator);
    const code = await run();
    const output = printed.join('');
    // The output goes with the code, so a failure shows the run's summary and read-back.
    expect({ code, output }).toEqual({ code: exitCode('ok'), output: expect.any(String) as string });
    expect(output).toMatch(/created\s+3 /);
    expect(output).toMatch(/versioned\s+1 /);
    expect(output).toMatch(/queued\s+0 /);
    expect(output).toContain('Creation result: CLEAN');
    const assets = emulator.snapshot().assets;
    for (const key of ['REF-90001', 'REF-90002', 'REF-90003', 'EXT-100003']) {
      expect(assets.filter((asset) => asset.property_external_id === key)).toHaveLength(1);
    }
    // The files came from the loopback file host, through the app's guarded fetch.
    expect(files.requests().filter((request) => request.method === 'GET').length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('fails the check when the portal does not hold what the sync should have done', async () => {
    // Without the fingerprint metaproperty the app versions nothing: the read-back must say so.
    const code = await run();
    const output = printed.join('');
    expect(code).toBe(exitCode('checkFailed'));
    expect(output).toMatch(/versioned\s+expected\s+1, sync reported\s+0\s+MISMATCH/);
    expect(output).toMatch(/Creation result: DIFFERENCES in .*key EXT-100003/);
  }, 60_000);
});
