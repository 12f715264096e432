import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

import { useEmulator } from '../helpers/use-emulator';

// `sync --portal URL` as against a real portal (credentials from the environment), pointed at an
// emulator this file runs, so faults can be injected: records Bynder keeps failing end pending.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'e2e-portal-token-0123456789';
const ASSET = '44444444-AAAA-4BBB-8CCCDDDDEEEE0001';

const emulator = useEmulator({
  tokens: [{ token: TOKEN }],
  seed: {
    metaproperties: {
      Mood: {
        id: '55555555-AAAA-4BBB-8CCCDDDDEEEE0001',
        name: 'Mood',
        label: 'Mood',
        type: 'text',
        isEditable: true,
      },
    },
    assets: [{ id: ASSET, name: 'one', description: 'before' }],
  },
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-portal-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run cli -- sync --portal (child process)', () => {
  it('re-delivers a batch Bynder keeps failing 3 times, leaves it pending, exits 1, and never prints the token', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 503 });
    const source = path.join(dir, 'one.csv');
    await writeFile(source, `asset_id,description,Mood\n${ASSET},after,calm\n`);

    const child = await run(
      CLI_COMMAND,
      cliArgs('sync', '--portal', emulator.url, '--source', source, '--retry-pause-ms', '1', '--json'),
      {
        cwd: ROOT,
        env: { ...process.env, BYNDER_TOKEN: TOKEN, LOG_LEVEL: 'debug' },
        timeout: 60_000,
      },
    ).then(
      (ok) => ({ code: 0, ...ok }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );

    expect(child.code).toBe(1);
    const summary = JSON.parse(child.stdout) as {
      pending: number;
      applied: number;
      retries: number;
      requests: number;
      pendingCauses: unknown[];
    };
    expect(summary).toMatchObject({ pending: 1, applied: 0, retries: 3 });
    expect(summary.pendingCauses).toHaveLength(1);
    // Counted on the client side (diagnostics channel), it must agree with what the portal received.
    expect(summary.requests).toBe(emulator.requests().length);
    expect(emulator.snapshot().assets[0]).toMatchObject({ description: 'before' });
    expect(child.stdout + child.stderr).not.toContain(TOKEN);
  });
});
