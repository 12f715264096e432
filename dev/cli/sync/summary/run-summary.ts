import type { CapturedNotification } from './notification-capture';
import type { Rejection, RunTally } from './run-tally';

// The end of a run: the counts built from the tally, and the two ways they are printed.

/** How many rejections and reasons the text summary shows (the rejections file has them all). */
const SHOWN_REJECTIONS = 5;
const SHOWN_REASONS = 5;
const SHOWN_ROUTES = 6;
const REASON_WIDTH = 160;

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
  /** Of applied and deleted: records Bynder already held (change detection wrote nothing for them). */
  unchanged: number;
  /** Of applied: records whose asset was created from the record's file. */
  created: number;
  /** Of applied: records whose changed file became a new version of their asset. */
  versioned: number;
  /** Queued for creation (not applied): the creation job finishes them and reports each end. */
  queued: number;
  /** Deletes and archives held back by "Deletes and archives per hour": not sent until released. */
  held: number;
  /** Held deletes the app holds at the end of the run (this run's and earlier ones'). */
  heldTotal: number;
  rejected: number;
  pending: number;
  requests: number;
  /** Answers with status 429 (Bynder's rate limit). */
  rateLimited: number;
  requestsPerSecond: number;
  /** Worker processes that delivered (1 when deliver() ran in the runner's own process). */
  workers: number;
  /** kvStore operations the store server answered, when workers ran (the runner's own included). */
  kvOperations: number | undefined;
  /** Peak resident memory of each worker process, KiB (replaced workers included). */
  peakRssKbPerWorker: number[] | undefined;
  elapsedMs: number;
  batches: number;
  retries: number;
  deletePolicy: string;
  /** The settings' fixed values as saved (one `field: value` a line; '' for none). */
  fixedValues?: string;
  /** The first rejections in source order (all of them when there are at most 1,000). */
  rejections: Rejection[];
  rejectionsFile: string | undefined;
  /** Most common rejection reasons, with counts. */
  rejectionReasons: Array<{ reason: string; count: number }>;
  pendingCauses: Array<{ cause: string; count: number }>;
  requestDetail: RequestCount;
  unmatchedColumns: string[];
  /** What the app sent to OCP's Activity Log during the run, in order. */
  notifications: CapturedNotification[];
  source: string;
  target: string;
  appLog: string | undefined;
  /** Records in the app's outbox at the end of the run: kept for the app to deliver itself later. */
  parked: number;
  /** Records the outbox dropped past its byte bound (lost: OCP will not send them again). */
  outboxDropped: number;
  /**
   * Records in the outbox at the end of the run that were rejected because of Bynder's state (an
   * option or asset missing): the app tries them again once that may have changed.
   */
  kept: number;
  /** Such records not kept, past the outbox's bound for them (since it was created). */
  keptDropped: number;
  /**
   * Keys the source holds more than once with different values (the first few named): the last
   * record wins, and every run writes the earlier one and then the later one again.
   */
  repeatedKeys: { count: number; examples: string[] };
  /**
   * Set when the run was cancelled (Ctrl-C, SIGTERM, the page's Cancel): how. The batches in
   * flight then finished and are counted; records never sent are in `pending`.
   */
  cancelled: string | undefined;
  /**
   * A dry run (`--dry-run`): nothing was written, and the counts say what the sync would do
   * (applied: would be written or needs no change; rejected: would be rejected).
   */
  dryRun: boolean;
}

export function buildRunSummary(
  tally: RunTally,
  context: {
    elapsedMs: number;
    requests: RequestCount;
    deletePolicy: string;
    fixedValues?: string;
    rejectionsFile: string | undefined;
    unmatchedColumns: string[];
    notifications: readonly CapturedNotification[];
    source: string;
    target: string;
    appLog: string | undefined;
    parked?: number;
    outboxDropped?: number;
    kept?: number;
    keptDropped?: number;
    heldTotal?: number;
    repeatedKeys?: RunSummary['repeatedKeys'];
    workers?: number;
    kvOperations?: number;
    peakRssKbPerWorker?: number[];
    cancelled?: string;
    dryRun?: boolean;
  },
): RunSummary {
  const seconds = context.elapsedMs / 1000;
  return {
    records: tally.records,
    applied: tally.applied,
    deleted: tally.deleted,
    ignoredDeletes: tally.ignoredDeletes,
    unchanged: tally.unchanged,
    created: tally.created,
    versioned: tally.versioned,
    queued: tally.queued,
    held: tally.held,
    heldTotal: context.heldTotal ?? 0,
    rejected: tally.rejected,
    pending: tally.pending,
    requests: context.requests.total,
    rateLimited: context.requests.rateLimited,
    workers: context.workers ?? 1,
    kvOperations: context.kvOperations,
    peakRssKbPerWorker: context.peakRssKbPerWorker,
    requestsPerSecond: seconds > 0 ? Math.round((context.requests.total / seconds) * 10) / 10 : 0,
    elapsedMs: Math.round(context.elapsedMs),
    batches: tally.batches,
    retries: tally.retries,
    deletePolicy: context.deletePolicy,
    ...(context.fixedValues ? { fixedValues: context.fixedValues } : {}),
    // Source problems are found while reading, app rejections after their batch: show them by line.
    rejections: [...tally.rejections].sort((a, b) => a.line - b.line),
    rejectionsFile: context.rejectionsFile,
    rejectionReasons: sortedCounts(tally.reasons).map(([reason, count]) => ({ reason, count })),
    pendingCauses: sortedCounts(tally.pendingCauses).map(([cause, count]) => ({ cause, count })),
    requestDetail: context.requests,
    unmatchedColumns: context.unmatchedColumns,
    notifications: [...context.notifications],
    source: context.source,
    target: context.target,
    appLog: context.appLog,
    parked: context.parked ?? 0,
    outboxDropped: context.outboxDropped ?? 0,
    kept: context.kept ?? 0,
    keptDropped: context.keptDropped ?? 0,
    repeatedKeys: context.repeatedKeys ?? { count: 0, examples: [] },
    cancelled: context.cancelled,
    dryRun: context.dryRun ?? false,
  };
}

function sortedCounts(counts: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The human summary printed at the end of a run: one labelled line per count (see docs/runner.md). */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const row = (label: string, value: string | number, note = '') =>
    lines.push(`  ${label.padEnd(18)}${String(value).padStart(8)}${note ? `  ${note}` : ''}`);

  const dry = summary.dryRun;
  lines.push(
    `${dry ? 'Dry-run summary (nothing was written to Bynder; the counts say what the sync would do)' : 'Sync summary'}${summary.cancelled ? ` (CANCELLED: ${summary.cancelled})` : ''}: ${summary.source} -> ${summary.target}`,
  );
  row('records read', summary.records, 'records and unreadable lines in the source');
  row(
    dry ? 'would apply' : 'applied',
    summary.applied,
    dry
      ? 'upserts that would be written (or need no change)'
      : 'upserts Bynder accepted (or that needed no change)',
  );
  row(
    dry ? 'would delete' : 'deleted/archived',
    summary.deleted,
    `deletes ${dry ? 'to carry out' : 'carried out'} (delete policy: ${summary.deletePolicy})`,
  );
  row(
    'unchanged',
    summary.unchanged,
    dry
      ? 'of those, Bynder already holds the values: nothing to write'
      : 'of those, Bynder already held the values: nothing written',
  );
  if (summary.created + summary.versioned + summary.queued > 0) {
    row('created', summary.created, "of applied: new assets uploaded from the record's file_url");
    row('versioned', summary.versioned, 'of applied: a changed file saved as a new version');
    row('queued', summary.queued, 'queued for creation: the creation job finishes them (not applied)');
  }
  if (summary.held + summary.heldTotal > 0) {
    row(
      'held',
      summary.held,
      `deletes past "Deletes and archives per hour": not sent; ${summary.heldTotal} held in all (release or discard them: settings, Sync status)`,
    );
  }
  if (summary.ignoredDeletes > 0) {
    row('deletes ignored', summary.ignoredDeletes, 'delete policy "ignore": assets left as they are');
  }
  row(
    dry ? 'would reject' : 'rejected',
    summary.rejected,
    summary.rejected > 0 ? 'permanent: fix the source or the mapping, then run again' : '',
  );
  for (const rejection of summary.rejections.slice(0, SHOWN_REJECTIONS)) {
    const who = rejection.key ? `key ${JSON.stringify(rejection.key)}` : 'no key';
    lines.push(`      line ${rejection.line}, ${who}: ${cut(rejection.reason, REASON_WIDTH)}`);
  }
  if (summary.rejected > SHOWN_REJECTIONS) {
    lines.push(`      ... and ${summary.rejected - SHOWN_REJECTIONS} more`);
  }
  if (summary.rejectionReasons.length > 1) {
    const common = summary.rejectionReasons
      .slice(0, SHOWN_REASONS)
      .map((r) => `${cut(r.reason, 70)} (${r.count})`);
    lines.push(`      most common: ${common.join('; ')}`);
  }
  if (summary.rejected > 0 && summary.rejectionsFile) {
    lines.push(`      all rejections: ${summary.rejectionsFile}`);
  }
  row(
    'pending',
    summary.pending,
    summary.pending === 0
      ? ''
      : summary.cancelled
        ? 'not applied: not sent, or left by the cancelled run; run again to send them'
        : 'not applied yet (transient); run again to retry',
  );
  for (const { cause, count } of summary.pendingCauses.slice(0, SHOWN_REASONS)) {
    lines.push(`      ${count} x ${cut(cause, REASON_WIDTH)}`);
  }
  if (summary.parked > 0) {
    row(
      'parked (outbox)',
      summary.parked,
      'OCP would not send these again; the app delivers them later (`outbox`)',
    );
  }
  if (summary.kept > 0) {
    row(
      'kept for a retry',
      summary.kept,
      "rejected because of Bynder's state; sent again once it changes (`outbox`)",
    );
  }
  if (summary.keptDropped > 0) {
    row('not kept (bound)', summary.keptDropped, 'past the bound for kept records: run again once fixed');
  }
  if (summary.outboxDropped > 0) {
    row(
      'DROPPED (outbox full)',
      summary.outboxDropped,
      'lost: the outbox was full; run the sync again for them (`outbox` names them)',
    );
  }
  const routes = Object.entries(summary.requestDetail.byRoute)
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN_ROUTES)
    .map(([route, count]) => `${route} ${count}`);
  row(
    'requests',
    summary.requests,
    `counted by the ${summary.requestDetail.countedBy}${routes.length > 0 ? `: ${routes.join(', ')}` : ''}`,
  );
  if (summary.rateLimited > 0) row('rate limited (429)', summary.rateLimited);
  if (summary.kvOperations !== undefined) {
    row('workers', summary.workers, `worker processes; ${summary.kvOperations} kvStore operations`);
  }
  row('requests/second', summary.requestsPerSecond.toFixed(1), 'requests / elapsed');
  row(
    'elapsed',
    `${(summary.elapsedMs / 1000).toFixed(1)} s`,
    `${summary.batches} batches, ${summary.retries} re-deliveries`,
  );
  if (summary.repeatedKeys.count > 0) {
    const named = summary.repeatedKeys.examples.map((key) => JSON.stringify(key)).join(', ');
    lines.push(
      `  keys with differing values: ${summary.repeatedKeys.count} (${named}${summary.repeatedKeys.count > summary.repeatedKeys.examples.length ? ', …' : ''}) appear more than once with other values;`,
      '      the last record wins, but every run writes the earlier ones again: fix the source to keep one record per key',
    );
  }
  if (summary.unmatchedColumns.length > 0) {
    lines.push(`  columns not sent: ${summary.unmatchedColumns.join(', ')}`);
  }
  if (summary.notifications.length > 0) {
    lines.push(`  notifications (OCP's Activity Log): ${summary.notifications.length}`);
    for (const n of summary.notifications) {
      lines.push(`      ${n.severity}: ${n.title}`);
      lines.push(`        ${n.summary}`);
      if (n.details) lines.push(`        ${n.details}`);
    }
  }
  if (summary.appLog) lines.push(`  app log: ${summary.appLog}`);
  return `${lines.join('\n')}\n`;
}

/** The `--json` summary: the counts, every kept rejection as `{ key, field, reason, line }`, and the details. */
export function formatJsonSummary(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
