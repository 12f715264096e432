#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

import { registerBench } from './commands/bench';
import { EXIT_CODES, exitCode, UsageError } from './exit-codes';
import { registerDemo } from './commands/demo';
import { registerEmulator } from './commands/emulator';
import { registerOutbox } from './commands/outbox';
import { registerSchema } from './commands/schema';
import { registerSettings } from './commands/settings';
import { registerSync } from './commands/sync';
import { registerUi } from './commands/ui';
import { registerValidate } from './commands/validate';

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

for (const register of [
  registerValidate,
  registerEmulator,
  registerSchema,
  registerSettings,
  registerSync,
  registerOutbox,
  registerDemo,
  registerUi,
  registerBench,
]) {
  register(program);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help, whose exit code is 0).
    process.exitCode = error.exitCode === 0 ? exitCode('ok') : exitCode('usage');
    return;
  }
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCode(error instanceof UsageError ? 'usage' : 'notStarted');
});

function describeExitCodes(): string {
  return Object.values(EXIT_CODES)
    .map((row) => `  ${String(row.code).padStart(3)}  ${row.meaning}`)
    .join('\n');
}
