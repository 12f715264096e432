#!/usr/bin/env node
// `npm test`: every check OCP's builder and our CI rely on, in one run. The check steps (typecheck,
// lint, format, layers; validate is a test file) run at the same time as vitest, at a lower CPU priority so that tests
// waiting on real time are not starved by them; each step runs to its end even if another failed,
// so one report shows everything. Vitest's output comes first, then each step's, then a summary
// (why tests were skipped, the slowest files), and the last line is the plain count
// "N passed, N failed, N skipped" that CI reads (vitest's tests, plus one failure per failed step;
// see scripts/test-summary.mjs). Arguments go to vitest, e.g. `npm test -- test/unit`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { closingLine, seconds, skipLines, slowestFileLines, tally } from './test-summary.mjs';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'Usage: npm test [-- VITEST_ARGS]\n\n' +
      'Runs every check: typecheck, lint, format check, layers, and the whole vitest suite (which builds and\n' +
      'validates the app), and\n' +
      'ends with "N passed, N failed, N skipped". Arguments go to vitest (e.g. a test file); `npm run test:vitest` runs\n' +
      'vitest alone.\n',
  );
  process.exit(0);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = [
  ['typecheck', 'typecheck'],
  ['lint', 'lint'],
  ['format', 'format:check'],
  ['layers', 'layers'],
  // No `validate` step: test/integration/validate.test.ts builds the app as `npm run validate` does
  // and checks it with the same rules ("passes the app as it is"), beside broken copies; a second
  // build here cost about 10 s of CPU for nothing more.
];
/** Niceness of the check steps: they fill the CPU the tests leave idle. */
const STEP_PRIORITY = 10;
const SLOWEST_FILES_SHOWN = 5;

const started = Date.now();
const work = mkdtempSync(path.join(os.tmpdir(), 'bynder-test-'));
// TEST_RUN_SUMMARY_FILE=path keeps the run's summary (every file's time) there; otherwise it is
// written in the temporary folder and removed with it.
const keptSummaryFile = process.env.TEST_RUN_SUMMARY_FILE
  ? path.resolve(process.env.TEST_RUN_SUMMARY_FILE)
  : undefined;
const summaryFile = keptSummaryFile ?? path.join(work, 'run-summary.json');
const timingSummaryFile = path.join(work, 'timing-summary.json');
const children = new Set();
let priorityNoticeShown = false;
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  // Stopped (Ctrl-C): stop what this started and leave no temporary folder behind.
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(code);
  });
}

const steps = STEPS.map(([name, script]) => runStep(name, script));
const vitestArgs = process.argv.slice(2);
// The whole suite: the files that measure real time (vitest.config.ts, TIMING_FILES) run in a vitest
// of their own from the start, at normal priority, beside the rest (whose workers lower theirs);
// in one vitest they could only run after every other file (a project that runs one file at a time
// is scheduled last). Its output is shown after the main run's. With arguments, one vitest as asked.
const [vitestExit, timing] =
  vitestArgs.length === 0 && hasTimingProject()
    ? await Promise.all([
        runVitest(['--project', 'unit', '--project', 'integration', '--project', 'own-process'], summaryFile),
        runVitest(['--project', 'timing'], timingSummaryFile, { buffered: true }),
      ])
    : [await runVitest(vitestArgs, summaryFile), undefined];
const results = await Promise.all(steps);

if (timing) {
  process.stdout.write(
    `\n── the files that measure real time (vitest --project timing) ──\n${timing.output}`,
  );
}

for (const step of results) {
  process.stdout.write(`\n── ${step.name} ──\n${step.output}`);
  if (step.output !== '' && !step.output.endsWith('\n')) process.stdout.write('\n');
  process.stdout.write(
    `${step.ok ? '✓' : '✗'} ${step.name}${step.ok ? '' : ' failed'} (${seconds(step.ms)})\n`,
  );
}

const { run, problem } = mergeRuns(
  readRunSummary(summaryFile),
  timing ? readRunSummary(timingSummaryFile) : undefined,
);
const counts = tally(run, worstExit(vitestExit.code, timing?.code), results);
process.stdout.write('\n── summary ──\n');
const lines = [];
if (run === undefined) {
  lines.push(
    `✗ vitest ended without its report (exit code ${worstExit(vitestExit.code, timing?.code)}; ${problem}): see its output above`,
  );
} else {
  for (const file of run.failedFiles) lines.push(`✗ ${file} failed outside its tests: see its error above`);
  if (run.unhandledErrors > 0) lines.push(`✗ ${run.unhandledErrors} error(s) outside every test: see above`);
  if (run.reason === 'interrupted') lines.push('✗ the vitest run was interrupted before every file ran');
  lines.push(...skipLines(run), ...slowestFileLines(run, SLOWEST_FILES_SHOWN));
  if (keptSummaryFile) lines.push(`every file's time: ${keptSummaryFile}`);
}
for (const step of results) if (!step.ok) lines.push(`✗ ${step.name} failed: see its output above`);
lines.push(`took ${seconds(Date.now() - started)}`);
process.stdout.write(`${lines.join('\n')}\n${closingLine(counts)}\n`);
process.exitCode = counts.failed === 0 ? 0 : 1;

/**
 * One check step through npm, its output (stdout and stderr, in arrival order) kept for the report.
 * @returns {Promise<{ name: string; ok: boolean; output: string; ms: number }>}
 */
function runStep(name, script) {
  const start = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn('npm', ['run', script, '--silent'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // npm on Windows is npm.cmd, which only a shell runs.
      shell: process.platform === 'win32',
    });
    children.add(child);
    lowerPriority(child.pid);
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    const finish = (ok, extra = '') =>
      resolve({ name, ok, output: Buffer.concat(chunks).toString('utf8') + extra, ms: Date.now() - start });
    child.on('error', (error) => finish(false, `could not start npm run ${script}: ${error.message}\n`));
    child.on('close', (code, signal) => {
      children.delete(child);
      finish(code === 0, signal ? `stopped by ${signal}\n` : '');
    });
  });
}

/**
 * Vitest with its usual output (or, `buffered`, kept to be shown later), plus the reporter that
 * writes the run summary to `summary`. Resolves its exit code (null when it could not start).
 * @returns {Promise<{ code: number | null; output: string }>}
 */
function runVitest(args, summary, { buffered = false } = {}) {
  const require = createRequire(path.join(root, 'package.json'));
  const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const reporter = path.join(root, 'test/setup/run-summary-reporter.ts');
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(
      process.execPath,
      [vitest, 'run', '--reporter=default', `--reporter=${reporter}`, ...args],
      {
        stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit',
        env: {
          ...process.env,
          TEST_RUN_SUMMARY_FILE: summary,
          // The config is TypeScript with ESM syntax in a CommonJS package, which Vite's bundling
          // loader handles; its notice about a future "native" loader is noise here.
          VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
        },
      },
    );
    child.stdout?.on('data', (chunk) => chunks.push(chunk));
    child.stderr?.on('data', (chunk) => chunks.push(chunk));
    const output = () => Buffer.concat(chunks).toString('utf8');
    child.on('error', (error) => {
      process.stderr.write(`could not start vitest: ${error.message}\n`);
      resolve({ code: null, output: output() });
    });
    children.add(child);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, output: output() });
    });
  });
}

/** Whether the vitest config declares the `timing` project (this repository's does; another may not). */
function hasTimingProject() {
  try {
    return /name:\s*'timing'/.test(readFileSync(path.join(process.cwd(), 'vitest.config.ts'), 'utf8'));
  } catch {
    return false;
  }
}

/** The first failing exit code of the vitest runs (0 when all passed; null when one did not start). */
function worstExit(...codes) {
  return codes.find((code) => code !== 0 && code !== undefined) ?? 0;
}

/** A report of a vitest run, or why there is none (vitest ended before writing it). */
function readRunSummary(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { run: undefined, problem: error.code === 'ENOENT' ? 'no report was written' : error.message };
  }
  try {
    return { run: JSON.parse(text), problem: undefined };
  } catch (error) {
    return { run: undefined, problem: `its report is not JSON: ${error.message}` };
  }
}

/** The two runs as one report; a missing report makes the whole one missing, with its reason. */
function mergeRuns(main, timed) {
  if (timed === undefined) return main;
  if (main.run === undefined || timed.run === undefined) {
    return { run: undefined, problem: main.problem ?? `the timing run: ${timed.problem}` };
  }
  const a = main.run;
  const b = timed.run;
  const merged = {
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    failedFiles: [...a.failedFiles, ...b.failedFiles],
    unhandledErrors: a.unhandledErrors + b.unhandledErrors,
    reason: a.reason === 'interrupted' || b.reason === 'interrupted' ? 'interrupted' : a.reason,
    skips: [...a.skips, ...b.skips],
    files: [...a.files, ...b.files],
  };
  // TEST_RUN_SUMMARY_FILE keeps every file's time, the timing files' included.
  if (keptSummaryFile) writeFileSync(keptSummaryFile, JSON.stringify(merged, null, 2));
  return { run: merged, problem: undefined };
}

/** Best effort: where priorities cannot be changed, the steps run at normal priority (said once). */
function lowerPriority(pid) {
  if (pid === undefined) return;
  try {
    os.setPriority(pid, STEP_PRIORITY);
  } catch (error) {
    if (priorityNoticeShown) return;
    priorityNoticeShown = true;
    process.stderr.write(`note: the check steps run at normal priority (${error.message})\n`);
  }
}
