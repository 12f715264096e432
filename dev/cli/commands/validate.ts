import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The validate command is not built yet.\n');
      process.exitCode = 1;
    });
}
