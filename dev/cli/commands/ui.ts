import path from 'node:path';

import type { Command } from 'commander';

import { LogLevel } from '@zaiusinc/app-sdk';

import { DEMO_PORTAL_PATH } from '../../bynder-emulator/seed';
import { DEFAULT_UPLOAD_LIMITS, formatBytes } from '../../ui/source-uploads';
import { DEFAULT_TOKEN } from '../../bynder-emulator/token-store';
import { startUi } from '../../ui/ui-server';
import { wholeNumberOption } from './whole-number-option';
import { exitCode } from '../exit-codes';

interface UiFlags {
  port: number;
  strictPort?: boolean;
  seed: string;
  verbose?: boolean;
}

export function registerUi(program: Command): void {
  const limits = DEFAULT_UPLOAD_LIMITS;
  program
    .command('ui')
    .description(
      "A local page with the app's three OCP screens: the settings form (the real Lifecycle.onSettingsForm), " +
        'a new sync (destination, field list from the real schema function, column mapping) and the run ' +
        '(the sync runner, streamed live). Served on loopback by this process, with the Bynder emulator; until Ctrl-C.',
    )
    .option(
      '--port <port>',
      'port for the page (0 picks a free one); when it is taken, the next free one is used and printed',
      wholeNumberOption(0),
      4020,
    )
    .option('--strict-port', 'exit with an error when --port is taken, instead of using another')
    .option(
      '--seed <file>',
      "the emulator's portal, as seed JSON",
      path.relative(process.cwd(), DEMO_PORTAL_PATH),
    )
    .option(
      '--verbose',
      "also print the app's log lines (JSON) here; LOG_LEVEL=debug|info|warn|error does too, at that level",
    )
    .addHelpText(
      'after',
      `
The page's Bynder portal is this process's emulator (the button "Use the local emulator" fills it in);
it accepts the permanent token ${DEFAULT_TOKEN}. Nothing on the page loads from the network.

The server answers only its own page: requests must name 127.0.0.1, localhost or [::1] with the port as
their host, and every change must come from the page's own origin. Uploaded source files: at most
${formatBytes(limits.maxFileBytes)} each, ${limits.maxFiles} files and ${formatBytes(limits.maxTotalBytes)} kept at once (the oldest make room).

Example:
  npm run cli -- ui --port 4020    then open http://127.0.0.1:4020/`,
    )
    .action(async (flags: UiFlags) => {
      const ui = await startUi({
        port: flags.port,
        strictPort: flags.strictPort,
        seed: flags.seed,
        appLogLevel: appLogLevel(flags),
      });
      process.stdout.write(
        `${ui.portNote ? `${ui.portNote}\n` : ''}Sync Manager page: ${ui.url}/\n` +
          `Bynder emulator: ${ui.emulator.url} (seed ${flags.seed}; permanent token ${ui.emulator.token})\nCtrl-C stops both.\n`,
      );
      const stop = () => {
        ui.stop().then(
          () => process.exit(exitCode('ok')),
          () => process.exit(exitCode('notStarted')),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/**
 * The app logs JSON lines for OCP's log viewer; in this terminal they would bury the page's address.
 * They show when asked for: --verbose (info and up), or LOG_LEVEL, which the SDK read when it loaded.
 */
function appLogLevel(flags: UiFlags): LogLevel | undefined {
  if (process.env.LOG_LEVEL !== undefined && process.env.LOG_LEVEL !== '') return undefined;
  return flags.verbose ? LogLevel.Info : LogLevel.NEVER;
}
