import type { Command } from 'commander';

export function registerSettings(program: Command): void {
  program
    .command('settings')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The settings command is not built yet.\n');
      process.exitCode = 1;
    });
}
