#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

import { EXIT_CODES, exitCode, UsageError } from './exit-codes';

type Register = (program: Command) => void;

/**
 * Every subcommand, in the order the help lists them, each loaded only when needed: a run of one
 * command loads that command's modules alone (the emulator does not load the sync runner, the
 * page or the benchmarks), which is most of the time a short run such as `--help` takes. The `.js`
 * is what an ECMAScript import() needs under nodenext; tsx finds the .ts beside it.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  emulator: async () => (await import('./commands/emulator.js')).registerEmulator,
  schema: async () => (await import('./commands/schema.js')).registerSchema,
  settings: async () => (await import('./commands/settings.js')).registerSettings,
  sync: async () => (await import('./commands/sync.js')).registerSync,
  outbox: async () => (await import('./commands/outbox.js')).registerOutbox,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  ui: async () => (await import('./commands/ui.js')).registerUi,
  bench: async () => (await import('./commands/bench.js')).registerBench,
};

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

async function registerCommands(names: readonly string[]): Promise<void> {
  const loads: Array<Promise<Register>> = [];
  for (const name of names) {
    const load = COMMANDS[name];
    if (load) loads.push(load());
  }
  for (const register of await Promise.all(loads)) register(program);
}

function describeExitCodes(): string {
  return Object.values(EXIT_CODES)
    .map((row) => `  ${String(row.code).padStart(3)}  ${row.meaning}`)
    .join('\n');
}
