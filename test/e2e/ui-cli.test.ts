import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

import { DEFAULT_TOKEN } from '../../dev/bynder-emulator/token-store';
import { exitCode } from '../../dev/cli/exit-codes';

// `npm run cli -- ui` as a person starts it: the address it prints (another port when the default is
// taken), and a terminal that shows the app's JSON log lines only when asked for.

const ROOT = path.resolve(__dirname, '../..');
/** The app's log lines are JSON objects, one a line. */
const JSON_LINE = /^\{.*\}$/m;

interface UiProcess {
  child: ChildProcess;
  /** stdout and stderr as they came, together. */
  output(): string;
  /** The page's URL, once it is printed. */
  url: string;
  exited: Promise<number | null>;
}

/** Starts the CLI's `ui` and resolves once it prints the page's address. */
async function startUiCli(args: string[], env: Record<string, string | undefined>): Promise<UiProcess> {
  const child = spawn(CLI_COMMAND, cliArgs('ui', ...args), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Sync Manager page: (http:\/\/\S+)\//.exec(output);
      if (found?.[1] && output.includes('Ctrl-C stops both')) resolve(found[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`ui exited with ${code} before serving:\n${output}`)));
  });
  return { child, output: () => output, url, exited };
}

/** A request as the page makes it (its own Host and Origin). */
function pageRequest(url: string, method: string, pathname: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}${pathname}`,
      { method, headers: { Origin: url, 'Content-Type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** What makes the app log: a connection saved through the form, then the field list read. */
async function useThePage(url: string): Promise<void> {
  const form = JSON.parse(await pageRequest(url, 'GET', '/api/form')) as { emulatorUrl: string };
  const saved = await pageRequest(url, 'POST', '/api/settings/connection', {
    action: 'save',
    data: { portal: form.emulatorUrl, auth_method: 'permanent_token', token: DEFAULT_TOKEN },
  });
  expect(saved).toContain('saved');
  expect(await pageRequest(url, 'GET', '/api/destinations/bynder_assets/schema')).toContain('asset_id');
}

describe('npm run cli -- ui in a terminal', () => {
  let blocker: http.Server;
  let busyPort: number;
  let ui: UiProcess | undefined;

  beforeAll(async () => {
    blocker = http.createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    busyPort = (blocker.address() as AddressInfo).port;
  });

  afterEach(async () => {
    if (ui && ui.child.exitCode === null) {
      ui.child.kill('SIGTERM');
      await ui.exited;
    }
    ui = undefined;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('serves on the next free port when the asked-for one is taken, and prints which', async () => {
    ui = await startUiCli(['--port', String(busyPort)], { LOG_LEVEL: undefined });
    const port = Number(new URL(ui.url).port);
    expect(port).not.toBe(busyPort);
    expect(ui.output()).toContain(`port ${busyPort} is taken; serving on port ${port} instead\n`);
    expect(await pageRequest(ui.url, 'GET', '/')).toContain('local Sync Manager');
  }, 60_000);

  it('prints no JSON log lines unless asked', async () => {
    ui = await startUiCli(['--port', '0'], { LOG_LEVEL: undefined });
    await useThePage(ui.url);
    ui.child.kill('SIGTERM');
    await ui.exited;
    expect(ui.output()).not.toMatch(JSON_LINE);
    expect(ui.output()).toContain('Sync Manager page:');
  }, 60_000);

  it('prints the app log lines with --verbose', async () => {
    ui = await startUiCli(['--port', '0', '--verbose'], { LOG_LEVEL: undefined });
    await useThePage(ui.url);
    ui.child.kill('SIGTERM');
    await ui.exited;
    expect(ui.output()).toMatch(JSON_LINE);
    expect(ui.output()).toContain('Settings: connection saved');
  }, 60_000);

  it('exits 2 (could not start) with what to do when --strict-port names a taken port', async () => {
    const child = spawn(CLI_COMMAND, cliArgs('ui', '--port', String(busyPort), '--strict-port'), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(exitCode('notStarted'));
    expect(stderr).toContain(`port ${busyPort} is taken`);
    expect(stderr).toContain('--port 0 for any free one');
  }, 60_000);
});
