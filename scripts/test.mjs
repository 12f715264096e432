#!/usr/bin/env node
// `npm test`: every check OCP's builder and our CI rely on, in one run. Each step runs even if
// an earlier one failed, so one report shows everything; the last line is the plain count
// "N passed, N failed" (vitest's tests, plus one per failed check step).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'Usage: npm test [-- VITEST_ARGS]\n\n' +
      'Runs every check: typecheck, lint, format check, validate, then the whole vitest suite, and ends\n' +
      'with "N passed, N failed". Arguments go to vitest (e.g. a test file); `npm run test:vitest` runs\n' +
      'vitest alone.\n',
  );
  process.exit(0);
}

const steps = [
  ['typecheck', ['run', 'typecheck', '--silent']],
  ['lint', ['run', 'lint', '--silent']],
  ['format', ['run', 'format:check', '--silent']],
  ['layers', ['run', 'layers', '--silent']],
  ['validate', ['run', 'validate', '--silent']],
];

let failedChecks = 0;
for (const [name, args] of steps) {
  process.stdout.write(`\n── ${name} ──\n`);
  const { status } = spawnSync('npm', args, { stdio: 'inherit' });
  if (status !== 0) {
    failedChecks += 1;
    process.stdout.write(`✗ ${name} failed\n`);
  } else {
    process.stdout.write(`✓ ${name}\n`);
  }
}

process.stdout.write('\n── vitest ──\n');
const dir = mkdtempSync(path.join(tmpdir(), 'bynder-test-'));
const report = path.join(dir, 'vitest.json');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  // The config is TypeScript with ESM syntax in a CommonJS package, which Vite's bundling loader
  // handles; its notice about a future "native" loader is noise here.
  { stdio: 'inherit', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
);
let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numFailedTestSuites > 0 && results.numFailedTests === 0 ? 1 : 0);
} catch {
  failed = 1; // vitest crashed before writing its report
}
if (vitest.status !== 0 && failed === 0) failed = 1;
rmSync(dir, { recursive: true, force: true });

failed += failedChecks;
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
