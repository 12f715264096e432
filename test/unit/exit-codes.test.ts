import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { EXIT_CODES } from '../../dev/cli/exit-codes';

const ROOT = path.resolve(__dirname, '../..');

/** The rows of the table under "## Exit codes" in docs/runner.md, as [code, meaning, what to do]. */
function documentedRows(): string[][] {
  const doc = readFileSync(path.join(ROOT, 'docs/runner.md'), 'utf8');
  const section = doc.split(/^## Exit codes$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('exit codes: one table', () => {
  it('docs/runner.md lists exactly the codes of dev/cli/exit-codes.ts, with the same words', () => {
    const expected = Object.values(EXIT_CODES).map((row) => [String(row.code), row.meaning, row.next]);
    expect(documentedRows()).toEqual(expected);
  });

  it('gives every outcome its own code, and keeps 0, 1, 2 and 130 as published', () => {
    const codes = Object.values(EXIT_CODES).map((row) => row.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT_CODES).toMatchObject({
      ok: { code: 0 },
      pending: { code: 1 },
      notStarted: { code: 2 },
      interrupted: { code: 130 },
    });
  });

  it('no command of the runner exits with a number of its own', () => {
    const literal = /process\.exit(Code\s*=\s*|\()\s*\d/;
    // Worker processes (sync --workers, the bench's runs) are the runner's own children, never run by a person.
    const children = [path.join(ROOT, 'dev/cli/sync/workers'), path.join(ROOT, 'dev/bench/run-one.ts')];
    const offenders = [...filesUnder(path.join(ROOT, 'dev/cli')), ...filesUnder(path.join(ROOT, 'dev/bench'))]
      .filter((file) => !children.some((child) => file.startsWith(child)))
      .filter((file) => literal.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});
