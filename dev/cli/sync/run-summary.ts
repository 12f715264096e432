import type { Rejection, RunTally } from './run-tally';

export interface RequestCount {
  total: number;
  /** Route template (or method + path) to count. */
  byRoute: Record<string, number>;
  /** Answers with status 429. */
  rateLimited: number;
  /** How the requests were counted, e.g. "emulator request log". */
  countedBy: string;
}

/** The end of a run, as printed and as `--json` writes it. */
export interface RunSummary {
  records: number;
  applied: number;
  /** Delete events carried out: assets archived or deleted, per the delete policy. */
  deleted: number;
  ignoredDeletes: number;
  rejected: number;
  pending: number;
  requests: number;
  requestsPerSecond: number;
  elapsedMs: number;
  batches: number;
  retries: number;
  deletePolicy: string;
  /** The first rejections in source order (all of them when there are at most 1,000). */
  rejections: Rejection[];
  rejectionsFile: string | undefined;
  /** Most common rejection reasons, with counts. */
  rejectionReasons: Array<{ reason: string; count: number }>;
  pendingCauses: Array<{ cause: string; count: number }>;
  requestDetail: RequestCount;
  unmatchedColumns: string[];
  source: string;
  target: string;
  appLog: string | undefined;
}

export function buildRunSummary(
  tally: RunTally,
  context: {
    elapsedMs: number;
    requests: RequestCount;
    deletePolicy: string;
    rejectionsFile: string | undefined;
    unmatchedColumns: string[];
    source: string;
    target: string;
    appLog: string | undefined;
  },
): RunSummary {
  const seconds = context.elapsedMs / 1000;
  return {
    records: tally.records,
    applied: tally.applied,
    deleted: tally.deleted,
    ignoredDeletes: tally.ignoredDeletes,
    rejected: tally.rejected,
    pending: tally.pending,
    requests: context.requests.total,
    requestsPerSecond: seconds > 0 ? Math.round((context.requests.total / seconds) * 10) / 10 : 0,
    elapsedMs: Math.round(context.elapsedMs),
    batches: tally.batches,
    retries: tally.retries,
    deletePolicy: context.deletePolicy,
    // Source problems are found while reading, app rejections after their batch: show them by line.
    rejections: [...tally.rejections].sort((a, b) => a.line - b.line),
    rejectionsFile: context.rejectionsFile,
    rejectionReasons: sortedCounts(tally.reasons).map(([reason, count]) => ({ reason, count })),
    pendingCauses: sortedCounts(tally.pendingCauses).map(([cause, count]) => ({ cause, count })),
    requestDetail: context.requests,
    unmatchedColumns: context.unmatchedColumns,
    source: context.source,
    target: context.target,
    appLog: context.appLog,
  };
}

function sortedCounts(counts: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
