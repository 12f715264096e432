import type { Command } from 'commander';

import { runDemo } from '../demo/demo-run';
import { exitCode } from '../exit-codes';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The demo (npm start): sync examples/assets.csv with examples/mapping.yml into the emulator seeded with ' +
        'examples/portal.json, print the summary, then read every asset back and say whether the portal holds ' +
        'what the source said. Then a second sync in external-key mode (examples/new-assets.csv) creates assets ' +
        'from files on a loopback file host and versions one, and reads those back.',
    )
    .addHelpText(
      'after',
      `
Ctrl-C stops it as it stops sync: the batches in flight finish, the summary follows, the check is
skipped, and the exit code is ${exitCode('interrupted')}. The run's files are kept in .sync-runs/.`,
    )
    .action(async () => {
      const code = await runDemo();
      // A cancelled run may leave timers behind (a retry pause, the app's own waits): end now.
      if (code === exitCode('interrupted')) process.exit(code);
      process.exitCode = code;
    });
}
