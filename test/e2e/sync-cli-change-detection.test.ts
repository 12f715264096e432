import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

// `npm run cli -- sync` run twice against one portal (an emulator started with `npm run cli --
// emulator`, reached with `--portal`): the second run reads what Bynder holds and writes only what
// differs, so it makes at most 5 % of the first run's requests, and the records it did not write
// are the summary's `unchanged`.
//
// The source is examples/assets.csv with only the last row of each key kept (what the portal holds
// after a run). The demo file itself repeats 17 keys with other values in later batches (to show
// that the last event wins): re-run, those keys are written back and forth twice per run, which is
// a change every time, so with it the second run costs 34 requests of 265 (12.8 %), not under 5 %.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'e2e-change-detection-token-4f1c';
const MODIFY = 'POST /api/v4/media/:id/';

interface Summary {
  records: number;
  applied: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  pending: number;
  requests: number;
  requestDetail: { byRoute: Record<string, number> };
  repeatedKeys: { count: number };
}

let dir: string;
let emulator: ChildProcess | undefined;
let portal: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-change-detection-'));
  emulator = spawn(CLI_COMMAND, cliArgs('emulator', '--port', '0', '--token', TOKEN), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  portal = await new Promise<string>((resolve, reject) => {
    let out = '';
    emulator?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    emulator?.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}, 60_000);
afterAll(async () => {
  emulator?.kill();
  await rm(dir, { recursive: true, force: true });
});

/** examples/assets.csv with the last row of each key only, in the file's order. */
async function lastRowPerKey(): Promise<string> {
  const text = await readFile(path.join(ROOT, 'examples/assets.csv'), 'utf8');
  const table: string[][] = parse(text, { skip_empty_lines: true });
  const [header = [], ...rows] = table;
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(row[0] ?? '', i));
  const kept = rows.filter((row, i) => last.get(row[0] ?? '') === i);
  expect(kept.length).toBe(rows.length - 18); // 17 keys repeated, one of them three times
  const quote = (cells: string[]) => cells.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',');
  const file = path.join(dir, 'assets-last-row-per-key.csv');
  await writeFile(file, [header, ...kept].map(quote).join('\n') + '\n');
  return file;
}

async function sync(source: string): Promise<Summary> {
  const args = cliArgs('sync', '--portal', portal, '--source', source);
  // The highest budget the app accepts: the first run's ~265 requests take 18 s of pacing, not 27.
  args.push('--requests-per-second', '15', '--max-in-flight', '10');
  const { stdout } = await run(CLI_COMMAND, [...args, '--mapping', 'examples/mapping.yml', '--json'], {
    cwd: ROOT,
    env: { ...process.env, BYNDER_TOKEN: TOKEN },
    timeout: 120_000,
  }).catch((failed: { stdout: string }) => failed); // exit 1: the demo rows rejected on purpose
  return JSON.parse(stdout) as Summary;
}

describe('npm run cli -- sync twice against one portal (child processes)', () => {
  it('makes at most 5 % of the requests the second time; unchanged accounts for the writes left out', async () => {
    const source = await lastRowPerKey();
    const first = await sync(source);
    const second = await sync(source);

    // The same records end the same way both times.
    const outcome = (s: Summary) => [s.records, s.applied, s.deleted, s.rejected, s.pending];
    expect(outcome(second)).toEqual(outcome(first));
    expect(first.pending).toBe(0);
    expect(first.repeatedKeys.count).toBe(0);
    expect(second.requests).toBeLessThanOrEqual(first.requests * 0.05);
    // Every modify the first run sent and the second did not is a record Bynder already held.
    const modifies = (s: Summary) => s.requestDetail.byRoute[MODIFY] ?? 0;
    expect(modifies(first) - modifies(second)).toBe(second.unchanged - first.unchanged);
    expect(second.unchanged).toBe(second.applied + second.deleted);
  }, 240_000);
});
