// Types of scripts/test-summary.mjs, for the TypeScript that imports it (its unit test).
import type { RunSummary } from '../test/setup/run-summary-reporter.js';

export type { RunSummary };

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function tally(
  run: RunSummary | undefined,
  vitestExitCode: number | null,
  checks: ReadonlyArray<{ name: string; ok: boolean }>,
): Counts;
export function closingLine(counts: Counts): string;
export function skipLines(run: RunSummary): string[];
export function slowestFileLines(run: RunSummary, count: number): string[];
export function seconds(ms: number): string;
