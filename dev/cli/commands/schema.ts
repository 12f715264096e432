import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The schema command is not built yet.\n');
      process.exitCode = 1;
    });
}
