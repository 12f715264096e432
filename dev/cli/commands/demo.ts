import type { Command } from 'commander';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The demo command is not built yet.\n');
      process.exitCode = 1;
    });
}
