import { writeFileSync } from 'node:fs';

import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/**
 * What `npm test` (scripts/test.mjs) needs from a vitest run, written as JSON to the file named by
 * the TEST_RUN_SUMMARY_FILE environment variable (nothing is written without it): the counts, why
 * each skipped test was skipped, and how long each file took. The script reads the file and removes
 * it; nothing printed names it, so no message points at a file that is gone.
 */
export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed outside any test (an import error, a failing beforeAll or afterAll). */
  failedFiles: string[];
  /** Errors vitest caught outside every test (an unhandled rejection, a crash in a worker). */
  unhandledErrors: number;
  /** 'interrupted' when the run was stopped (Ctrl-C, --bail) before every file ran. */
  reason: TestRunEndReason;
  /** Each skipped test with the note it gave (`context.skip(note)`), if any. */
  skips: Array<{ file: string; test: string; note?: string }>;
  /** Each file's time: its tests and hooks, and the import of its modules, in milliseconds. */
  files: Array<{ file: string; tests: number; durationMs: number; importMs: number }>;
}

export const RUN_SUMMARY_FILE_VARIABLE = 'TEST_RUN_SUMMARY_FILE';

/** Counts a vitest run the way the closing line of `npm test` reports it. */
export function summarizeRun(
  modules: readonly TestModule[],
  unhandledErrors: number,
  reason: TestRunEndReason,
): RunSummary {
  const summary: RunSummary = {
    passed: 0,
    failed: 0,
    skipped: 0,
    failedFiles: [],
    unhandledErrors,
    reason,
    skips: [],
    files: [],
  };
  for (const module of modules) {
    const file = module.relativeModuleId;
    let tests = 0;
    let testFailed = false;
    for (const test of module.children.allTests()) {
      tests += 1;
      const result = test.result();
      if (result.state === 'passed') summary.passed += 1;
      else if (result.state === 'failed') {
        summary.failed += 1;
        testFailed = true;
      } else {
        // 'skipped' (skip, todo, or not run because of `only`) and 'pending' (never reached,
        // e.g. after a failing beforeAll or an interrupted run): not run, so not passed.
        summary.skipped += 1;
        const note = result.state === 'skipped' ? result.note : undefined;
        summary.skips.push({ file, test: test.fullName, ...(note ? { note } : {}) });
      }
    }
    if (!testFailed && (module.state() === 'failed' || module.errors().length > 0)) {
      summary.failedFiles.push(file);
    }
    const diagnostic = module.diagnostic();
    summary.files.push({
      file,
      tests,
      durationMs: Math.round(diagnostic.duration),
      importMs: Math.round(diagnostic.collectDuration + diagnostic.setupDuration),
    });
  }
  summary.files.sort((a, b) => b.durationMs - a.durationMs);
  return summary;
}

export default class RunSummaryReporter implements Reporter {
  public onTestRunEnd(
    modules: readonly TestModule[],
    unhandledErrors: readonly unknown[],
    reason: TestRunEndReason,
  ): void {
    const target = process.env[RUN_SUMMARY_FILE_VARIABLE];
    if (!target) return;
    writeFileSync(target, JSON.stringify(summarizeRun(modules, unhandledErrors.length, reason)));
  }
}
