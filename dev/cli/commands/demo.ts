import type { Command } from 'commander';

import { runDemo } from '../demo/demo-run';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The demo (npm start): sync examples/assets.csv with examples/mapping.yml into the emulator seeded with ' +
        'examples/portal.json, print the summary, then read every asset back and say whether the portal holds ' +
        'what the source said.',
    )
    .action(async () => {
      process.exitCode = await runDemo();
    });
}
