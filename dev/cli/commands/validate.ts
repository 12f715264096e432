import { spawnSync } from 'node:child_process';
import path from 'node:path';

import type { Command } from 'commander';

import { formatValidationReport, validateApp } from '../../validate/run-validation';
import { exitCode } from '../exit-codes';

const BUILD_SCRIPT = path.join(__dirname, '../../../scripts/build.mjs');

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check the built app (dist/), its assets and forms as `ocp app validate` would (`npm run validate` builds first)',
    )
    .option('--dir <appRoot>', 'the app root holding app.yml, dist/, assets/ and forms/', process.cwd())
    .option('--build', 'run `npm run build` first (what `npm run validate` does)')
    .action((options: { dir: string; build?: boolean }) => {
      // The build runs here rather than before the command in package.json, so that `--help` answers
      // at once instead of after a build.
      if (options.build) {
        const built = spawnSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
        if (built.status !== 0) {
          process.stderr.write('validate: the build failed (above), so there is nothing to check\n');
          process.exitCode = exitCode('notStarted');
          return;
        }
      }
      const result = validateApp(options.dir);
      // Like `ocp-app-sdk validate`: "Looks good to me" on stdout, a failure on stderr and a non-zero exit.
      (result.success ? process.stdout : process.stderr).write(formatValidationReport(result));
      if (!result.success) process.exitCode = exitCode('checkFailed');
    });
}
