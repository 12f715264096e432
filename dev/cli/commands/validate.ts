import type { Command } from 'commander';

import { formatValidationReport, validateApp } from '../../validate/run-validation';
import { exitCode } from '../exit-codes';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check the built app (dist/), its assets and forms as `ocp app validate` would (run `npm run build` first)',
    )
    .option('--dir <appRoot>', 'the app root holding app.yml, dist/, assets/ and forms/', process.cwd())
    .action((options: { dir: string }) => {
      const result = validateApp(options.dir);
      // Like `ocp-app-sdk validate`: "Looks good to me" on stdout, a failure on stderr and a non-zero exit.
      (result.success ? process.stdout : process.stderr).write(formatValidationReport(result));
      if (!result.success) process.exitCode = exitCode('checkFailed');
    });
}
