import path from 'node:path';

import type { Command } from 'commander';

import { DEMO_PORTAL_PATH } from '../../bynder-emulator/seed';
import { DEFAULT_TOKEN } from '../../bynder-emulator/token-store';
import { startUi } from '../../ui/ui-server';
import { wholeNumberOption } from './whole-number-option';

interface UiFlags {
  port: number;
  seed: string;
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description(
      "A local page with the app's three OCP screens: the settings form (the real Lifecycle.onSettingsForm), " +
        'a new sync (destination, field list from the real schema function, column mapping) and the run ' +
        '(the sync runner, streamed live). Served on loopback by this process, with the Bynder emulator; until Ctrl-C.',
    )
    .option('--port <port>', 'port for the page (0 picks a free one)', wholeNumberOption(0), 4020)
    .option(
      '--seed <file>',
      "the emulator's portal, as seed JSON",
      path.relative(process.cwd(), DEMO_PORTAL_PATH),
    )
    .addHelpText(
      'after',
      `
The page's Bynder portal is this process's emulator (the button "Use the local emulator" fills it in);
it accepts the permanent token ${DEFAULT_TOKEN}. Nothing on the page loads from the network.

Example:
  npm run cli -- ui --port 4020    then open http://127.0.0.1:4020/`,
    )
    .action(async (flags: UiFlags) => {
      const ui = await startUi({ port: flags.port, seed: flags.seed });
      process.stdout.write(
        `Sync Manager page: ${ui.url}/\nBynder emulator: ${ui.emulator.url} (seed ${flags.seed}; permanent token ${ui.emulator.token})\nCtrl-C stops both.\n`,
      );
      const stop = () => {
        ui.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
