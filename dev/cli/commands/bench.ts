import type { Command } from 'commander';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The bench command is not built yet.\n');
      process.exitCode = 1;
    });
}
