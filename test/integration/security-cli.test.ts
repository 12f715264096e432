import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_DETAIL_LENGTH } from '../../src/lib/bynder/constants';
import { echoingMessages, findLeaks } from '../helpers/secret-scan';
import { cliArgs } from '../helpers/run-cli';
import { useEmulator } from '../helpers/use-emulator';

// The local runner as a user runs it (`sync --portal … ` with credentials in the environment), in a
// child process pointed at the emulator: stdout, stderr (with and without --json) and every file the
// run leaves (app log, rejections) must hold no credential, the OAuth client id included, on
// success and on failure. A credential too short to be Bynder's is refused before anything is sent.

const TOKEN = 'cli-T0KEN-8b1d3f5a7c9e';
const WRONG_TOKEN = 'cli-wrong-T0KEN-2c4e6a8b0d';
const CLIENT_ID = '5a9e2c7b-1f4d-4e8a-9b3c-6d0f2e1a8c47';
const CLIENT_SECRET = 'cli+secret/R7t=Uu5#Q3';
const SECRETS = [TOKEN, WRONG_TOKEN, CLIENT_ID, CLIENT_SECRET];
const MINIMUM = /at least 16 characters \(an assumption, since Bynder documents no format/;
const ROOT = path.join(__dirname, '../..');

const emulator = useEmulator({
  seed: 'examples/portal.json',
  tokens: [{ token: TOKEN }],
  oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  rateLimit: false,
});

interface CliRun {
  label: string;
  code: number | null;
  /** stdout and stderr, as a terminal shows them. */
  output: string;
  stdout: string;
  files: Array<{ name: string; text: string }>;
}

let dir = '';
const runs: CliRun[] = [];
let requestsAfterShort = -1;

async function filesUnder(folder: string): Promise<Array<{ name: string; text: string }>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const name = path.join(entry.parentPath, entry.name);
        return { name, text: await readFile(name, 'utf8') };
      }),
  );
}

async function runSync(
  label: string,
  env: Record<string, string>,
  source = 'records.jsonl',
  extraArgs: string[] = [],
): Promise<void> {
  const tmp = path.join(dir, label);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const args = [
    ...cliArgs('sync'),
    '--source',
    path.join(dir, source),
    '--portal',
    emulator.url,
    // The run's files (app log, rejections) in the folder the scan reads.
    '--log-dir',
    tmp,
  ];
  const child = spawn(
    process.execPath,
    [
      ...args,
      '--retry-pause-ms',
      '20',
      '--max-block-wait-ms',
      '100',
      '--requests-per-second',
      '15',
      '--max-in-flight',
      '10',
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      // Debug logging: every line the app can write is written, into the run's app log.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TMPDIR: tmp,
        LOG_LEVEL: 'debug',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  runs.push({ label, code, output, stdout, files: await filesUnder(tmp) });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'security-cli-'));
  const all = emulator.snapshot().assets;
  const assets = all.slice(0, 30);
  const lines = [
    ...assets.map((asset, i) => ({ asset_id: asset.id, description: `cli change ${i}` })),
    { asset_id: assets[0]?.id, campaign_name: 'no_such_campaign' },
    { asset_id: 'FFFF0000-0000-4000-8000000000000000', description: 'missing' },
  ];
  await writeFile(path.join(dir, 'records.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n'));

  emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 503, rate: 0.2 });
  emulator.faults.add({ match: 'POST /api/v4/media/:id/', reset: true, rate: 0.05 });
  // Runs that meet the same portal state go at once: each mostly waits on its paced requests.
  await Promise.all([
    runSync('token', { BYNDER_TOKEN: TOKEN }),
    // These two answer --json, so the scan below covers the JSON summary and the JSON error too.
    runSync('oauth', { BYNDER_CLIENT_ID: CLIENT_ID, BYNDER_CLIENT_SECRET: CLIENT_SECRET }, undefined, [
      '--json',
    ]),
    runSync('wrong-token', { BYNDER_TOKEN: WRONG_TOKEN }, undefined, ['--json']),
  ]);
  emulator.faults.clear();
  emulator.clearRequests();
  await Promise.all([
    runSync('one-letter-token', { BYNDER_TOKEN: 'T' }),
    runSync('short-client', { BYNDER_CLIENT_ID: 'client-1', BYNDER_CLIENT_SECRET: CLIENT_SECRET }),
  ]);
  requestsAfterShort = emulator.requests().length;

  // A server echoing the secrets, encoded and across the cut of Bynder's message: refused and
  // unavailable writes for the token; the token endpoint for the client secret.
  const tokenEchoes = echoingMessages(TOKEN, undefined, MAX_DETAIL_LENGTH);
  tokenEchoes.forEach((message, i) => {
    emulator.faults.add({ match: `POST /api/v4/media/${all[40 + i]?.id}/`, status: 400, message });
    emulator.faults.add({ match: `POST /api/v4/media/${all[60 + i]?.id}/`, status: 503, message, times: 4 });
  });
  const echoed = [...all.slice(40, 40 + tokenEchoes.length), ...all.slice(60, 60 + tokenEchoes.length)];
  await writeFile(
    path.join(dir, 'echo.jsonl'),
    echoed.map((asset) => JSON.stringify({ asset_id: asset.id, description: 'echo' })).join('\n'),
  );
  await runSync('token-echo', { BYNDER_TOKEN: TOKEN }, 'echo.jsonl');
  emulator.faults.clear();
  for (const message of echoingMessages(CLIENT_SECRET, CLIENT_ID, MAX_DETAIL_LENGTH)) {
    emulator.faults.add({ match: 'POST /v6/authentication/oauth2/token', status: 503, message, times: 1 });
  }
  await runSync(
    'oauth-echo',
    { BYNDER_CLIENT_ID: CLIENT_ID, BYNDER_CLIENT_SECRET: CLIENT_SECRET },
    'echo.jsonl',
  );
  emulator.faults.clear();
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sync CLI output and files', () => {
  it('ran each sync to its end: the good ones applied records, the revoked token failed', () => {
    const byLabel = new Map(runs.map((run) => [run.label, run]));
    for (const label of ['token', 'oauth']) {
      const run = byLabel.get(label);
      expect({ label, code: run?.code }).not.toEqual({ label, code: 2 });
      expect(run?.files.length).toBeGreaterThan(0);
    }
    expect(byLabel.get('wrong-token')?.code).not.toBe(0);
    expect(byLabel.get('wrong-token')?.output).toMatch(/401|refused|credentials|token/i);
    expect(emulator.snapshot().assets[1]?.description).toBe('cli change 1');
  });

  it('refuses a credential shorter than 16 characters, naming the variable and the minimum, and sends nothing', () => {
    const byLabel = new Map(runs.map((run) => [run.label, run]));
    const oneLetter = byLabel.get('one-letter-token');
    expect(oneLetter?.code).toBe(2);
    expect(oneLetter?.output).toContain(
      'BYNDER_TOKEN is 1 character long, too short for a Bynder credential',
    );
    expect(oneLetter?.output).toMatch(MINIMUM);
    // No mangled words: the refusal is not redacted letter by letter.
    expect(oneLetter?.output).not.toContain('[REDACTED]');
    const shortClient = byLabel.get('short-client');
    expect(shortClient?.code).toBe(2);
    expect(shortClient?.output).toContain('BYNDER_CLIENT_ID is 8 characters long');
    expect(requestsAfterShort).toBe(0);
  });

  it('answers --json with one JSON document on stdout, on success and on failure', () => {
    for (const label of ['oauth', 'wrong-token']) {
      const run = runs.find((r) => r.label === label);
      expect({ label, type: typeof JSON.parse(run?.stdout ?? '') }).toEqual({ label, type: 'object' });
    }
  });

  it('wrote its app log at debug level (what the scan reads is the app talking)', () => {
    const logs = runs.flatMap((run) => run.files).filter((file) => file.name.endsWith('app.log'));
    expect(logs.length).toBe(runs.length);
    expect(logs.map((file) => file.text).join('\n')).toMatch(/"level":\s*"?(debug|info)/i);
  });

  it('met the echoing server: its words reached the output and the app log, redacted', () => {
    const echo = runs.filter((run) => run.label.endsWith('-echo'));
    const text = echo.map((run) => [run.output, ...run.files.map((file) => file.text)].join('\n')).join('\n');
    expect(echo.length).toBe(2);
    expect(text).toMatch(/echo \[REDACTED\] echo/);
  });

  it.each(SECRETS)('never prints or writes %s (nor its encoded forms, nor a piece of one)', (secret) => {
    const places = runs.flatMap((run) =>
      [{ name: 'stdout/stderr', text: run.output }, ...run.files].map((place) => ({
        where: `${run.label}: ${place.name}`,
        text: place.text,
      })),
    );
    expect(findLeaks(places, secret, CLIENT_ID)).toEqual([]);
  });
});
