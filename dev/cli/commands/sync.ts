import type { Command } from 'commander';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The sync command is not built yet.\n');
      process.exitCode = 1;
    });
}
