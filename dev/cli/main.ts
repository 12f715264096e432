#!/usr/bin/env node
import { Command } from 'commander';

import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

import { registerBench } from './commands/bench';
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
  .configureHelp({ sortSubcommands: false });

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
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
