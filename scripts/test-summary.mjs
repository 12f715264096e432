// The summary `npm test` (scripts/test.mjs) prints at its end, from what the vitest run reported
// (test/setup/run-summary-reporter.ts) and how each check step ended. Pure functions, so the count
// CI reads is unit-tested (test/unit/test-summary.test.ts).

/**
 * The three counts of the closing line. `passed` and `skipped` are vitest's tests; `failed` adds one
 * for each file that failed outside its tests, one for errors outside every test, one for a vitest
 * run that ended without a report or with a failing exit code and nothing else failed, and one for
 * each failed check step.
 * @param {import('./test-summary.d.mts').RunSummary | undefined} run
 * @param {number | null} vitestExitCode
 * @param {ReadonlyArray<{ name: string; ok: boolean }>} checks
 */
export function tally(run, vitestExitCode, checks) {
  const failedChecks = checks.filter((check) => !check.ok).length;
  if (run === undefined) return { passed: 0, failed: 1 + failedChecks, skipped: 0 };
  let failed = run.failed + run.failedFiles.length + (run.unhandledErrors > 0 ? 1 : 0);
  if (failed === 0 && (vitestExitCode !== 0 || run.reason === 'interrupted')) failed = 1;
  return { passed: run.passed, failed: failed + failedChecks, skipped: run.skipped };
}

/**
 * The last line of `npm test`, which CI reads: exactly "N passed, N failed, N skipped".
 * @param {{ passed: number; failed: number; skipped: number }} counts
 */
export function closingLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/**
 * Why tests were skipped, one line per file and reason, e.g. "skipped: 3 tests in
 * test/e2e/ui-browser.test.ts (browser tests skipped: no Chromium at …)". A test that gave no note
 * was skipped in its source (`it.skip`, `it.todo`), or never ran because its file failed first.
 * @param {import('./test-summary.d.mts').RunSummary} run
 */
export function skipLines(run) {
  const failedFiles = new Set(run.failedFiles);
  /** @type {Map<string, { file: string; reason: string; count: number }>} */
  const groups = new Map();
  for (const skip of run.skips) {
    const reason =
      skip.note ??
      (failedFiles.has(skip.file)
        ? 'not run: the file failed before them, see its error above'
        : 'no reason given: it.skip or it.todo in the file');
    const key = JSON.stringify([skip.file, reason]);
    const group = groups.get(key) ?? { file: skip.file, reason, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].map(
    ({ file, reason, count }) => `skipped: ${count} ${count === 1 ? 'test' : 'tests'} in ${file} (${reason})`,
  );
}

/**
 * The slowest test files with their time (tests and hooks, then the import of their modules), so
 * a slow newcomer shows up in every run.
 * @param {import('./test-summary.d.mts').RunSummary} run
 * @param {number} count
 */
export function slowestFileLines(run, count) {
  const slowest = [...run.files].sort((a, b) => b.durationMs - a.durationMs).slice(0, count);
  if (slowest.length === 0) return [];
  return [
    `slowest ${slowest.length === 1 ? 'file' : `${slowest.length} files`} (tests and hooks + import):`,
    ...slowest.map(
      ({ file, durationMs, importMs }) =>
        `  ${seconds(durationMs).padStart(7)} + ${seconds(importMs)}  ${file}`,
    ),
  ];
}

/** @param {number} ms */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
