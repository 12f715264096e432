import type { Command } from 'commander';

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('The emulator command is not built yet.\n');
      process.exitCode = 1;
    });
}
