import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exitCode } from '../../dev/cli/exit-codes';
import { uncommentSettingLines } from '../helpers/example-settings';
import { CLI_COMMAND, cliArgs, ROOT, runCli } from '../helpers/run-cli';
import { useEmulator } from '../helpers/use-emulator';

// The README's commands as a new user meets them, each in a child process: every command answers
// --help, the example settings file is valid as shipped and with every setting uncommented, outbox
// shows the last local run, and a typo gets advice that fits the command line.

const TOKEN = 'e2e-commands-token-0123456789';
const ASSET = '99999999-AAAA-4BBB-8CCCDDDDEEEE0001';

const emulator = useEmulator({
  tokens: [{ token: TOKEN }],
  seed: {
    metaproperties: {
      External_id: {
        id: '99999999-AAAA-4BBB-8CCCDDDDEEEE0101',
        name: 'External_id',
        label: 'External id',
        type: 'text',
        isEditable: true,
      },
      // The example settings' fixed value (usage_rights: Editorial) is checked against the portal.
      Usage_rights: {
        id: '99999999-AAAA-4BBB-8CCCDDDDEEEE0102',
        name: 'usage_rights',
        label: 'Usage rights',
        type: 'select',
        isEditable: true,
        options: [{ id: '99999999-AAAA-4BBB-8CCCDDDDEEEE0103', name: 'editorial', label: 'Editorial' }],
      },
    },
    assets: [{ id: ASSET, name: 'one', description: 'before' }],
  },
});

let dir: string;
let source: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-commands-'));
  source = path.join(dir, 'one.csv');
  await writeFile(source, `asset_id,description\n${ASSET},after\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `sync --portal <this file's emulator>` with its token, as against a real portal. */
const syncToEmulator = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['sync', '--portal', emulator.url, '--retry-pause-ms', '1', '--source', source, ...args], {
    env: { BYNDER_TOKEN: TOKEN, ...env },
  });

/** The commands in the README's "Commands" table, as typed there (placeholders and all). */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const table = readme.split(/^## Commands$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...table.matchAll(/^\| `(npm [^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

/** `npm run cli -- sync --source FILE` -> `npm run cli -- sync --help`: npm's words, then the command's, then --help. */
function withHelp(command: string): string[] {
  const [npmPart = '', rest] = command.split(' -- ');
  const words = npmPart.split(' ').slice(1);
  const subcommand = rest?.split(' ').find((w) => !w.startsWith('-'));
  return [...words, '--', ...(subcommand ? [subcommand] : []), '--help'];
}

function runNpm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['--silent', ...args], { cwd: ROOT, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the README commands (child processes)', () => {
  it('answers --help for every command in the README table, with exit 0 and a usage text', async () => {
    const commands = await readmeCommands();
    expect(commands).toEqual(expect.arrayContaining(['npm start', 'npm test', 'npm run cli -- outbox']));
    // In parallel: each is a separate npm + node start-up, mostly waiting on the machine.
    // `npm run cli -- X` rows run the CLI directly (npm adds only its own start-up); the others go
    // through npm, since their scripts are what is checked.
    const answers = await Promise.all(
      commands.map(async (c) => {
        const args = withHelp(c);
        const cli = args[0] === 'run' && args[1] === 'cli';
        return { c, ...(await (cli ? runCli(args.slice(3), { timeoutMs: 240_000 }) : runNpm(args))) };
      }),
    );
    const failed = answers
      .filter((a) => a.code !== 0 || !/usage/i.test(a.stdout))
      .map((a) => `${a.c}: exit ${a.code}\n${a.stdout.slice(0, 300)}${a.stderr.slice(0, 300)}`);
    expect(failed).toEqual([]);
  }, 300_000);

  it('ends quietly with exit 0 when its reader stops early (`sync --help | head -1`)', async () => {
    const child = spawn(CLI_COMMAND, cliArgs('sync', '--help'), { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // What `head -1` does to the rest of the output: the pipe is closed before it is written.
    child.stdout.destroy();
    const [code] = (await once(child, 'close')) as [number | null];

    expect(stderr).not.toMatch(/EPIPE|at \S+ \(/);
    expect(code).toBe(exitCode('ok'));
  }, 60_000);

  it('answers a --section typo with the sections and a suggestion, exit 64, and no advice meant for OCP', async () => {
    const result = await runCli(['settings', '--section', 'conection']);

    expect(result.code).toBe(exitCode('usage'));
    expect(result.stderr).toContain(
      '--section "conection" is not a section of the settings form (did you mean "connection"?); the sections are connection, records, throughput, try_record, sync_status',
    );
    expect(result.stdout + result.stderr).not.toMatch(/reinstall|reload/i);
  }, 60_000);

  it('syncs with examples/settings.yml as shipped', async () => {
    const result = await syncToEmulator(['--settings', 'examples/settings.yml', '--json']);

    expect(result.code).toBe(exitCode('ok'));
    expect(JSON.parse(result.stdout)).toMatchObject({ records: 1, applied: 1 });
  }, 60_000);

  it('syncs with examples/settings.yml with every commented setting uncommented', async () => {
    const text = await readFile(path.join(ROOT, 'examples/settings.yml'), 'utf8');
    const { text: uncommented, count } = uncommentSettingLines(text);
    expect(count).toBeGreaterThanOrEqual(3);
    const file = path.join(dir, 'settings-uncommented.yml');
    await writeFile(file, uncommented);

    // --portal wins over the file's example portal, so the form's checks run against this emulator.
    const result = await syncToEmulator(['--settings', file, '--json']);

    expect(result.code).toBe(exitCode('ok'));
    expect(JSON.parse(result.stdout)).toMatchObject({ records: 1, applied: 1 });
  }, 60_000);

  it('shows the outbox of the last local run: the record Bynder kept failing, parked by its last attempt', async () => {
    const lastRun = { BYNDER_LAST_RUN_FILE: path.join(dir, 'last-run.json') };
    const before = await runCli(['outbox'], { env: lastRun });
    expect(before.code).toBe(exitCode('ok'));
    expect(before.stdout).toContain(
      `No local sync has saved its stores yet (they would be in ${lastRun.BYNDER_LAST_RUN_FILE})`,
    );

    // A value the asset does not hold yet, so that the run has a write to fail.
    const failing = path.join(dir, 'failing.csv');
    await writeFile(failing, `asset_id,description\n${ASSET},never lands\n`);
    emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 503 });
    try {
      const sync = await syncToEmulator(['--source', failing, '--json'], lastRun);
      expect(sync.code).toBe(exitCode('pending'));
      expect(JSON.parse(sync.stdout)).toMatchObject({ pending: 1, parked: 1 });
    } finally {
      emulator.faults.clear();
    }

    const after = await runCli(['outbox'], { env: lastRun });
    expect(after.code).toBe(exitCode('ok'));
    expect(after.stdout).toContain(`From the last local sync: ${failing} -> portal ${emulator.url}`);
    expect(after.stdout).toMatch(new RegExp(`Outbox: 1 record parked\\n.*${ASSET}`));
  }, 120_000);
});
