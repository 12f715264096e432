import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { exitCode } from '../../dev/cli/exit-codes';
import { useEmulator } from '../helpers/use-emulator';
import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

// Ctrl-C during `sync`, as a user presses it: the CLI as a child process against an emulator this
// file runs, where every write waits, so the run is mid-way when the signal comes. The signal is
// sent when the first progress line says a write was accepted (not after a sleep): from then on
// the first batch is in flight, and the later ones (seconds of writes) have not started.

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'e2e-cancel-token-0123456789';
const RECORDS = 100;
const BATCH = 10;
/** Each write waits this long at the emulator: with one in flight a batch takes a second or more. */
const WRITE_DELAY_MS = 100;

const ids = Array.from(
  { length: RECORDS },
  (_, i) => `66666666-AAAA-4BBB-8CCC${String(i).padStart(12, '0')}`,
);

const emulator = useEmulator({
  tokens: [{ token: TOKEN }],
  seed: { metaproperties: {}, assets: ids.map((id) => ({ id, name: id, description: 'before' })) },
});

interface Summary {
  records: number;
  applied: number;
  deleted: number;
  ignoredDeletes: number;
  rejected: number;
  pending: number;
  batches: number;
  cancelled?: string;
  pendingCauses: Array<{ cause: string; count: number }>;
  appLog: string;
}

/** The CLI alone; its process group, as a terminal's Ctrl-C; or both at once, as under `npm run`. */
type Target = 'cli' | 'group' | 'npm';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let source: string;
let tmp: string;
let logDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-cancel-'));
  source = path.join(dir, 'records.csv');
  await writeFile(source, ['asset_id,description', ...ids.map((id) => `${id},after`), ''].join('\n'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  emulator.faults.clear();
  emulator.configure({
    seed: { metaproperties: {}, assets: ids.map((id) => ({ id, description: 'before' })) },
  });
});

/**
 * Runs sync with TMPDIR and --log-dir set to folders of this test; `onStderr` sees stderr as it
 * grows and may signal the child (`interrupt`): the CLI alone, or its whole process group as a
 * terminal's Ctrl-C does.
 */
async function sync(
  extra: string[],
  onStderr: (stderr: string, interrupt: (target: Target) => void) => void = () => undefined,
): Promise<Finished> {
  tmp = path.join(dir, `tmp-${Date.now()}`);
  logDir = path.join(dir, `logs-${Date.now()}`);
  await mkdir(tmp);
  // As `npm run cli` starts it, no tsx launcher in between (which relays a signal to the CLI and
  // kills it when the CLI is slow to confirm).
  const child = spawn(
    CLI_COMMAND,
    [
      ...cliArgs('sync'),
      ...['--portal', emulator.url, '--source', source, '--batch-size', String(BATCH)],
      ...['--requests-per-second', '15', '--max-in-flight', '1', '--retry-pause-ms', '1'],
      ...['--progress-interval', '0', '--log-dir', logDir, '--json'],
      ...extra,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, BYNDER_TOKEN: TOKEN, LOG_LEVEL: 'info', TMPDIR: tmp },
      // Its own process group, so that a signal can go to all of it (workers too), as from a terminal.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const interrupt = (target: 'cli' | 'group' | 'npm') => {
    if (target === 'cli') child.kill('SIGINT');
    else if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    // Under `npm run` the CLI gets the terminal's SIGINT and npm's forwarded copy at once.
    if (target === 'npm') child.kill('SIGINT');
  };
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr(stderr, interrupt);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Interrupts once, at the first progress line that counts a record done. */
function interruptAtFirstWrite(target: Target) {
  let sent = false;
  return (stderr: string, interrupt: (target: Target) => void) => {
    if (sent || !/^progress: [1-9]/m.test(stderr)) return;
    sent = true;
    interrupt(target);
  };
}

/** What is left in the run's TMPDIR. tsx's launcher keeps its IPC folder (tsx-<uid>) there: not ours. */
async function leftInTmp(): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name));
}

function progressLines(stderr: string): number[] {
  return [...stderr.matchAll(/^progress: (\d+) of/gm)].map((m) => Number(m[1]));
}

function batchLines(stderr: string): number[] {
  return [...stderr.matchAll(/^batch (\d+) done:/gm)].map((m) => Number(m[1]));
}

/** Every record in exactly one bucket, and the portal holding exactly the applied ones. */
async function expectAccountedFor(summary: Summary): Promise<void> {
  const { applied, deleted, ignoredDeletes, rejected, pending } = summary;
  expect(summary.records).toBe(RECORDS);
  expect(applied + deleted + ignoredDeletes + rejected + pending).toBe(RECORDS);
  await emulator.settle();
  const written = emulator.snapshot().assets.filter((asset) => asset.description === 'after');
  expect(written).toHaveLength(applied);
}

describe('sync interrupted by Ctrl-C (child process)', () => {
  it('finishes the batch in flight, counts the rest as pending, prints the summary and exits 130', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', delayMs: WRITE_DELAY_MS });

    const run = await sync([], interruptAtFirstWrite('cli'));

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('interrupted (Ctrl-C): no new batch starts');
    expect(run.stderr).toContain('Press Ctrl-C again to quit at once');
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.cancelled).toBe('interrupted (Ctrl-C)');
    await expectAccountedFor(summary);
    // The batch in flight ended normally: applied, none of it left pending by the signal.
    expect(summary.applied % BATCH).toBe(0);
    expect(summary.applied).toBeGreaterThanOrEqual(BATCH);
    expect(summary.pending).toBeGreaterThanOrEqual(BATCH);
    expect(summary.pendingCauses).toEqual([
      { cause: 'not sent: the run was interrupted (Ctrl-C)', count: summary.pending },
    ]);
    // Progress moved per write, inside the batch: more lines than batches, and rising.
    const progress = progressLines(run.stderr);
    expect(progress.length).toBeGreaterThan(summary.batches);
    expect(progress.filter((done) => done > 0 && done < BATCH).length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(batchLines(run.stderr)).toEqual(Array.from({ length: summary.batches }, (_, i) => i + 1));
    // No temporary folder left; the app log the summary names is there to read.
    expect(await leftInTmp()).toEqual([]);
    expect(summary.appLog.startsWith(logDir)).toBe(true);
    expect(await readFile(summary.appLog, 'utf8')).not.toBe('');
  }, 90_000);

  it('with --workers 2: each worker finishes its batch, none lost or counted twice, lines once and in order', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', delayMs: WRITE_DELAY_MS });

    // Ctrl-C from a terminal reaches the whole process group, the workers too; npm adds its copy.
    const run = await sync(['--workers', '2'], interruptAtFirstWrite('npm'));

    expect(run.code).toBe(130);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.cancelled).toBe('interrupted (Ctrl-C)');
    await expectAccountedFor(summary);
    expect(summary.pending).toBeGreaterThanOrEqual(BATCH);
    // No batch the workers held was cut short: every delivered batch ended applied in full.
    expect(summary.applied).toBe(summary.batches * BATCH);
    expect(summary.pendingCauses.map((c) => c.cause)).toEqual(['not sent: the run was interrupted (Ctrl-C)']);
    expect(batchLines(run.stderr)).toEqual(Array.from({ length: summary.batches }, (_, i) => i + 1));
    expect(progressLines(run.stderr).length).toBeGreaterThan(summary.batches);
    expect(run.stderr).not.toMatch(/worker .* died/);
    expect(await leftInTmp()).toEqual([]);
  }, 90_000);

  it('quits at once on a second Ctrl-C, without a summary, and still exits 130', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', delayMs: WRITE_DELAY_MS });
    let second = false;
    const first = interruptAtFirstWrite('cli');
    const run = await sync([], (stderr, interrupt) => {
      first(stderr, interrupt);
      // A person presses again later than npm's copy comes: after four more writes, each of which
      // the emulator holds WRITE_DELAY_MS, so at least 300 ms after the first press was heard.
      const [, after = ''] = stderr.split('Press Ctrl-C again');
      if (!second && progressLines(after).length >= 4) {
        second = true;
        interrupt('cli');
      }
    });

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('again: quitting at once, without a summary');
    expect(run.stdout).toBe('');
    expect(await leftInTmp()).toEqual([]);
  }, 90_000);

  it('leaves no temporary folder after a run that ends normally, nor after one that fails', async () => {
    const few = path.join(dir, 'few.csv');
    await writeFile(few, ['asset_id,description', ...ids.slice(0, 3).map((id) => `${id},after`)].join('\n'));
    const done = await sync(['--source', few]);
    expect(done.code).toBe(0);
    expect((JSON.parse(done.stdout) as Summary).applied).toBe(3);
    expect(await leftInTmp()).toEqual([]);

    const failed = await sync(['--batch-size', '0']);
    expect(failed.code).toBe(exitCode('usage'));
    expect(await leftInTmp()).toEqual([]);
  }, 90_000);
});
