import type { BenchReport, DelivererFigures, OurFigures } from './run-bench';

// The bench's human output: one row per deliverer, then the single figures and the targets.

const TARGETS = {
  budgetRatio: 0.95,
  // One write per changed asset, plus change detection's bulk read: one request per 100 records.
  requestsPerRecord: 1.02,
  validationMicrosPerRecord: 20,
} as const;

const fixed = (n: number | null | undefined, digits: number) =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);

function row(name: string, f: DelivererFigures | OurFigures | null): string[] {
  if (!f) return [name, 'skipped', '', '', '', '', '', ''];
  const ratio = 'budgetRatio' in f ? `${(f.budgetRatio * 100).toFixed(1)} %` : '';
  return [
    name,
    fixed(f.recordsPerSecond, 2),
    fixed(f.requestsPerRecord, 3),
    String(f.rateLimited),
    fixed(f.blockedMs / 1000, 1),
    fixed(f.peakRssMb, 0),
    `${f.appliedInEmulator}/${f.records}${f.timedOut ? ' (time box)' : ''}`,
    ratio,
  ];
}

function renderColumns(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((r) => (r[column] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES TARGET');

export function renderResultsTable(report: BenchReport): string {
  const { settings, memory, retry, validation } = report.details;
  const header = [
    'deliverer',
    'records/s',
    'requests/record',
    '429s',
    'blocked s',
    'peak RSS MB',
    'applied',
    'of budget',
  ];
  const table = renderColumns([
    header,
    row('sequential (naive loop)', report.sequential),
    row('fan-out (Promise.all)', report.fanout),
    row('ours (deliver())', report.ours),
  ]);
  const lines = [
    `Bench: ${settings.records} changed assets; emulator latency ${settings.latencyMs} ms ±20 %, rate limit ${settings.rateLimit.limit} requests per ${settings.rateLimit.windowMs / 1000} s, blocked until ${settings.rateLimit.quietMs / 1000} s quiet; budget ${settings.throughput.requestsPerSecond} requests/s, ${settings.throughput.maxInFlight} in flight; naive deliverers time-boxed at ${settings.timeBoxMs / 1000} s`,
    '',
    table,
    '',
    `validation + encoding: ${report.validationMicrosPerRecord.toFixed(2)} µs CPU per record over ${validation.records.toLocaleString('en-US')} records (${validation.planned.toLocaleString('en-US')} writes planned)`,
    `retry: attempt 2 of a batch of ${retry.records} (${retry.pendingAfterAttempt1} left pending by attempt 1) sent ${retry.attempt2Requests} requests, ${report.retryRequests} of them for records attempt 1 applied`,
    `memory: ${memory.batches} batches through deliver(): heap ${memory.heapFirstMb.toFixed(1)} → ${memory.heapLastMb.toFixed(1)} MB, slope ${memory.heapSlopeKbPerBatch.toFixed(2)} KB per batch` +
      (report.ours?.heapSlopeKbPerBatch !== undefined
        ? `; during ours' run ${report.ours.heapSlopeKbPerBatch.toFixed(2)} KB per batch`
        : ''),
    '',
    'Targets:',
  ];
  const ours = report.ours;
  if (ours) {
    lines.push(
      `  ours ≥ ${TARGETS.budgetRatio * 100} % of the budget ceiling: ${(ours.budgetRatio * 100).toFixed(1)} %, ${verdict(ours.budgetRatio >= TARGETS.budgetRatio)}`,
    );
    lines.push(`  ours receives no 429: ${ours.rateLimited}, ${verdict(ours.rateLimited === 0)}`);
    lines.push(
      `  ours ≤ ${TARGETS.requestsPerRecord.toFixed(1)} request per changed asset: ${fixed(ours.requestsPerRecord, 3)}, ${verdict(ours.requestsPerRecord !== null && ours.requestsPerRecord <= TARGETS.requestsPerRecord)}`,
    );
    lines.push(
      `  ours applies every record: ${ours.appliedInEmulator}/${ours.records}, ${verdict(ours.appliedInEmulator === ours.records)}`,
    );
  }
  lines.push(
    `  validation + encoding ≤ ${TARGETS.validationMicrosPerRecord} µs per record: ${report.validationMicrosPerRecord.toFixed(2)} µs, ${verdict(report.validationMicrosPerRecord <= TARGETS.validationMicrosPerRecord)}`,
  );
  lines.push(
    `  attempt 2 re-sends nothing applied: ${report.retryRequests}, ${verdict(report.retryRequests === 0)}`,
  );
  return lines.join('\n');
}

/** Whether every target the report covers is met (the command's exit code). */
export function meetsTargets(report: BenchReport): boolean {
  const ours = report.ours;
  const oursOk =
    !ours ||
    (ours.budgetRatio >= TARGETS.budgetRatio &&
      ours.rateLimited === 0 &&
      ours.requestsPerRecord !== null &&
      ours.requestsPerRecord <= TARGETS.requestsPerRecord &&
      ours.appliedInEmulator === ours.records);
  return (
    oursOk &&
    report.validationMicrosPerRecord <= TARGETS.validationMicrosPerRecord &&
    report.retryRequests === 0
  );
}
