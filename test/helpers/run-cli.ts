import { execFile } from 'node:child_process';
import path from 'node:path';

// Runs the local runner as a child process, as a user would, and hands back its exit code and output
// whatever the code.

export const ROOT = path.resolve(__dirname, '../..');

/**
 * How `npm run cli` starts the runner: node with tsx's CommonJS hook (run from ROOT). Without the tsx
 * launcher in between, which is one more process per run (a third of a second of CPU) and relays
 * signals to the CLI instead of the CLI receiving them itself; and without tsx's ECMAScript loader
 * (`--import tsx`), a thread of its own that costs about a second of CPU per start.
 */
export const CLI_COMMAND = process.execPath;
export const cliArgs = (...args: readonly string[]): string[] => [
  '--require',
  'tsx/cjs',
  'dev/cli/main.ts',
  ...args,
];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      CLI_COMMAND,
      cliArgs(...args),
      { cwd: ROOT, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
