import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm test` (scripts/test.mjs) run as a child process on a tiny project of its own: check steps that
// are one-line scripts (lint fails), and a vitest run with a passing, a failing and two skipped tests.
// Its temporary folder goes under a TMPDIR of the test's own, so what it leaves there can be checked.

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../scripts/test.mjs');
const BROWSER_NOTE = 'no browser at /nowhere/chromium (install it with apt-get install -y chromium)';

const PACKAGE = {
  name: 'npm-test-fixture',
  private: true,
  scripts: {
    typecheck: 'node -e ""',
    lint: `node -e "console.error('lint: 1 problem in src/a.ts'); process.exit(1)"`,
    'format:check': `node -e "console.log('format: all files formatted')"`,
    layers: 'node -e ""',
  },
};

const TESTS = `
it('passes', () => {});
it('fails', () => {
  throw new Error('the failing fixture test');
});
it('drives a browser', (context) => {
  context.skip(true, ${JSON.stringify(BROWSER_NOTE)});
});
it.skip('comes later', () => {});
`;

let project: string;
let tmp: string;
let result: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  project = await mkdtemp(path.join(os.tmpdir(), 'npm-test-fixture-'));
  tmp = path.join(project, 'tmp');
  await mkdir(tmp);
  await mkdir(path.join(project, 'checks'));
  await writeFile(path.join(project, 'package.json'), JSON.stringify(PACKAGE));
  // No vitest installed here: the fixture's tests use vitest's globals, so they import nothing.
  await writeFile(
    path.join(project, 'vitest.config.mjs'),
    "export default { test: { include: ['checks/*.check.mjs'], globals: true } };\n",
  );
  await writeFile(path.join(project, 'checks/sample.check.mjs'), TESTS);
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT], {
      cwd: project,
      env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
      timeout: 60_000,
    });
    result = { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    result = { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}, 90_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('npm test (scripts/test.mjs) on a tiny project', () => {
  it('ends with "N passed, N failed, N skipped" alone on the last line, counting the failed step', () => {
    const lines = result.stdout.trimEnd().split('\n');
    // 1 failed test + the failed lint step; the skip with a note and the it.skip.
    expect(lines.at(-1)).toBe('1 passed, 2 failed, 2 skipped');
    expect(result.code).toBe(1);
  });

  it('says in the summary why each test was skipped', () => {
    const summary = result.stdout.slice(result.stdout.lastIndexOf('── summary ──'));
    expect(summary).toContain(`skipped: 1 test in checks/sample.check.mjs (${BROWSER_NOTE})`);
    expect(summary).toContain(
      'skipped: 1 test in checks/sample.check.mjs (no reason given: it.skip or it.todo in the file)',
    );
    expect(summary).toContain('✗ lint failed: see its output above');
  });

  it("shows each step's own output, and the failing one's error", () => {
    expect(result.stdout).toContain('── lint ──\nlint: 1 problem in src/a.ts\n✗ lint failed');
    expect(result.stdout).toContain('── format ──\nformat: all files formatted\n✓ format');
    expect(result.stdout).toMatch(/✓ typecheck \(\d+\.\d s\)/);
  });

  it('leaves no temporary folder behind, and names none in what it printed', async () => {
    expect(await readdir(tmp)).toEqual([]);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(tmp);
  });
});
