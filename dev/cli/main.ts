#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

import { EXIT_CODES, exitCode, UsageError } from './exit-codes';

type Register = (program: Command) => void;

/**
 * Every subcommand, in the order the help lists them, each loaded only when needed: a run of one
 * command loads that command's modules alone (the emulator does not load the sync runner, the
 * page or the benchmarks), which is most of the time a short run such as `--help` takes. A plain
 * require, not import(): the runner starts as `node --require tsx/cjs`, tsx's CommonJS hook alone,
 * which an import() of a .ts file would get past; tsx's ECMAScript loader (`--import tsx`) runs
 * in a thread of its own and costs about a second of CPU per start.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires -- the lazy loads above */
const COMMANDS: Readonly<Record<string, () => Register>> = {
  validate: () => (require('./commands/validate') as typeof import('./commands/validate')).registerValidate,
  emulator: () => (require('./commands/emulator') as typeof import('./commands/emulator')).registerEmulator,
  schema: () => (require('./commands/schema') as typeof import('./commands/schema')).registerSchema,
  settings: () => (require('./commands/settings') as typeof import('./commands/settings')).registerSettings,
  sync: () => (require('./commands/sync') as typeof import('./commands/sync')).registerSync,
  outbox: () => (require('./commands/outbox') as typeof import('./commands/outbox')).registerOutbox,
  demo: () => (require('./commands/demo') as typeof import('./commands/demo')).registerDemo,
  ui: () => (require('./commands/ui') as typeof import('./commands/ui')).registerUi,
  bench: () => (require('./commands/bench') as typeof import('./commands/bench')).registerBench,
};
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires */

// A reader that stops early (`npm run cli -- sync --help | head`) closes the pipe: what it did not
// read is not a failure of the command, and Node would otherwise end with an unhandled EPIPE and
// its stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? exitCode('ok'));
  });
}

// The local tools talk to the embedded emulator on loopback, which only development allows.
process.env[LOOPBACK_PORTAL_SWITCH] ??= '1';

// The local runner: everything OCP would do with this app, on one machine, against the embedded
// Bynder emulator (or a real portal). Each subcommand lives in ./commands/<name>.ts.
const program = new Command('bynder-app')
  .description('Local tools for the Bynder Assets OCP app: validate, emulate, inspect and sync.')
  .showHelpAfterError('(run with --help for usage)')
  .configureHelp({ sortSubcommands: false })
  .addHelpText('after', `\nExit codes:\n${describeExitCodes()}\nMore: docs/runner.md, "Exit codes".`)
  // Commander's own refusals (an unknown flag, a missing value) throw instead of exiting, so they end
  // with the usage code; subcommands registered below inherit this.
  .exitOverride();

// The command named first on the line is the one that runs; anything else (the program's own help,
// `help <command>`, an unknown or misspelled command, which commander answers with the names it
// knows) gets every command.
const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);

registerCommands(wanted)
  .then(() => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help, whose exit code is 0).
      process.exitCode = error.exitCode === 0 ? exitCode('ok') : exitCode('usage');
      return;
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCode(error instanceof UsageError ? 'usage' : 'notStarted');
  });

function registerCommands(names: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    for (const name of names) COMMANDS[name]?.()(program);
    resolve();
  });
}

function describeExitCodes(): string {
  return Object.values(EXIT_CODES)
    .map((row) => `  ${String(row.code).padStart(3)}  ${row.meaning}`)
    .join('\n');
}
