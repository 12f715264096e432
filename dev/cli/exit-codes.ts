// Every exit code the local runner (`npm run cli -- <command>`, `npm start`, `npm run bench`) ends
// with, in one table. docs/runner.md, "Exit codes", is this table rendered by
// formatExitCodeTable(); a unit test keeps the two the same. Scripts and CI jobs branch on these
// numbers, so a code keeps its meaning once published: add a new row rather than reuse one.

export interface ExitCodeRow {
  code: number;
  /** A few words, for `--help`. */
  label: string;
  /** What the code means, for a person reading the docs or a script's author. */
  meaning: string;
  /** What to do about it. */
  next: string;
}

export const EXIT_CODES = {
  ok: {
    code: 0,
    label: 'done',
    meaning:
      'Done: every record was applied or rejected (`sync`, `demo`), or the command did what was asked.',
    next: 'Nothing. Rejected records are listed in the summary.',
  },
  pending: {
    code: 1,
    label: 'records left pending',
    meaning:
      'The sync ran, but records are left pending: Bynder failed or rate-limited them past the retries, or the run stopped early.',
    next: 'Run the same sync again; the summary lists the causes.',
  },
  notStarted: {
    code: 2,
    label: 'could not start',
    meaning:
      'Could not start, or broke before the end: the source has no records or cannot be read, the mapping names a column the source lacks, a delete-flag column is not mapped, the settings form refused a section, or the app is not ready.',
    next: 'Read the message: it names the file, column or setting and the fix.',
  },
  checkFailed: {
    code: 3,
    label: 'a check failed',
    meaning:
      "A check found problems: `validate` (the app would fail OCP's checks), `bench` (a target missed), `demo` (the portal read back differs from the source), `settings` (the form answered with errors).",
    next: 'The report above the exit says which check and why.',
  },
  rejections: {
    code: 4,
    label: 'rejections (--fail-on-rejections)',
    meaning:
      '`sync --fail-on-rejections`: the sync ran (or, with `--dry-run`, was previewed) and some records were rejected (or would be). It wins over 1: the rejections are what the flag asks about.',
    next: 'Fix the rejected records (the rejections file lists them) and sync again.',
  },
  usage: {
    code: 64,
    label: 'usage',
    meaning:
      'Usage: an unknown command or flag, a missing or invalid flag value (`--section`, `--delimiter`, `--batch-size`, ...).',
    next: 'Run the command with `--help`.',
  },
  interrupted: {
    code: 130,
    label: 'interrupted',
    meaning: 'Interrupted (Ctrl-C): no new batch was started; the summary shows what is pending.',
    next: 'Run the same sync again to deliver what is pending.',
  },
} as const satisfies Record<string, ExitCodeRow>;

export type ExitCodeName = keyof typeof EXIT_CODES;

/** The numeric code for a named outcome: `exitCode('pending')` is 1. */
export function exitCode(name: ExitCodeName): number {
  return EXIT_CODES[name].code;
}

/** A wrong flag or argument: the command exits with the `usage` code and the message says what is accepted. */
export class UsageError extends Error {
  public override name = 'UsageError';
}

/** `0 done, 1 records left pending, ...`: every code in one line, for a command's `--help`. */
export function exitCodeSummary(): string {
  return Object.values(EXIT_CODES)
    .map((row: ExitCodeRow) => `${row.code} ${row.label}`)
    .join(', ');
}

/** The table as docs/runner.md shows it (Markdown). */
export function formatExitCodeTable(): string {
  const rows = Object.values(EXIT_CODES).map(
    (row: ExitCodeRow) => `| ${row.code} | ${row.meaning} | ${row.next} |`,
  );
  return ['| Code | Meaning | What to do |', '| --- | --- | --- |', ...rows].join('\n');
}
