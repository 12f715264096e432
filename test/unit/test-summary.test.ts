import { describe, expect, it } from 'vitest';

import {
  closingLine,
  type RunSummary,
  skipLines,
  slowestFileLines,
  tally,
} from '../../scripts/test-summary.mjs';

// The summary at the end of `npm test`: CI reads its last line, so its shape and its counts are
// pinned here. test/e2e/npm-test-script.test.ts runs the whole script on a tiny project.

function runSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    passed: 10,
    failed: 0,
    skipped: 0,
    failedFiles: [],
    unhandledErrors: 0,
    reason: 'passed',
    skips: [],
    files: [],
    ...overrides,
  };
}

const CHECKS_OK = [
  { name: 'typecheck', ok: true },
  { name: 'lint', ok: true },
];

describe('closingLine: the line CI reads', () => {
  it('is exactly "N passed, N failed, N skipped"', () => {
    expect(closingLine({ passed: 1057, failed: 2, skipped: 3 })).toBe('1057 passed, 2 failed, 3 skipped');
    expect(closingLine({ passed: 0, failed: 0, skipped: 0 })).toMatch(
      /^\d+ passed, \d+ failed, \d+ skipped$/,
    );
  });
});

describe('tally: what the counts include', () => {
  it('counts skipped tests apart from passed and failed ones', () => {
    expect(tally(runSummary({ passed: 7, failed: 1, skipped: 3 }), 1, CHECKS_OK)).toEqual({
      passed: 7,
      failed: 1,
      skipped: 3,
    });
  });

  it('adds one failure per failed check step', () => {
    const checks = [...CHECKS_OK, { name: 'format', ok: false }, { name: 'validate', ok: false }];
    expect(tally(runSummary({ failed: 1 }), 1, checks).failed).toBe(3);
  });

  it('counts a file that failed outside its tests, and errors outside every test, as failures', () => {
    expect(
      tally(runSummary({ failedFiles: ['test/a.test.ts', 'test/b.test.ts'] }), 1, CHECKS_OK).failed,
    ).toBe(2);
    expect(tally(runSummary({ unhandledErrors: 4 }), 1, CHECKS_OK).failed).toBe(1);
  });

  it('never reports a failing or interrupted vitest run as 0 failed', () => {
    expect(tally(runSummary(), 1, CHECKS_OK).failed).toBe(1);
    expect(tally(runSummary({ reason: 'interrupted' }), 0, CHECKS_OK).failed).toBe(1);
    expect(tally(runSummary(), null, CHECKS_OK).failed).toBe(1);
  });

  it('counts a vitest run that wrote no report as one failure, nothing passed', () => {
    expect(tally(undefined, 1, [...CHECKS_OK, { name: 'lint', ok: false }])).toEqual({
      passed: 0,
      failed: 2,
      skipped: 0,
    });
  });

  it('reports a clean run as 0 failed', () => {
    expect(tally(runSummary({ passed: 5, skipped: 2 }), 0, CHECKS_OK)).toEqual({
      passed: 5,
      failed: 0,
      skipped: 2,
    });
  });
});

describe('skipLines: why tests were skipped', () => {
  it("gives each file's count with the note its tests gave", () => {
    const note =
      'browser tests skipped: no Chromium at /usr/bin/chromium (install it with "apt-get install -y chromium")';
    const skips = ['settings', 'mapping', 'run'].map((test) => ({
      file: 'test/e2e/ui-browser.test.ts',
      test,
      note,
    }));
    expect(skipLines(runSummary({ skipped: 3, skips }))).toEqual([
      `skipped: 3 tests in test/e2e/ui-browser.test.ts (${note})`,
    ]);
  });

  it('says where a skip gave no reason, and when the file failed before its tests ran', () => {
    const lines = skipLines(
      runSummary({
        skipped: 3,
        failedFiles: ['test/b.test.ts'],
        skips: [
          { file: 'test/a.test.ts', test: 'later' },
          { file: 'test/b.test.ts', test: 'one' },
          { file: 'test/b.test.ts', test: 'two' },
        ],
      }),
    );
    expect(lines).toEqual([
      'skipped: 1 test in test/a.test.ts (no reason given: it.skip or it.todo in the file)',
      'skipped: 2 tests in test/b.test.ts (not run: the file failed before them, see its error above)',
    ]);
  });

  it('says nothing when nothing was skipped', () => {
    expect(skipLines(runSummary())).toEqual([]);
  });
});

describe('slowestFileLines', () => {
  it('lists the slowest files first, with their test and import times', () => {
    const files = [
      { file: 'test/fast.test.ts', tests: 3, durationMs: 120, importMs: 300 },
      { file: 'test/slow.test.ts', tests: 1, durationMs: 41_250, importMs: 900 },
      { file: 'test/middle.test.ts', tests: 9, durationMs: 5_000, importMs: 400 },
    ];
    expect(slowestFileLines(runSummary({ files }), 2)).toEqual([
      'slowest 2 files (tests and hooks + import):',
      '   41.3 s + 0.9 s  test/slow.test.ts',
      '    5.0 s + 0.4 s  test/middle.test.ts',
    ]);
  });
});
