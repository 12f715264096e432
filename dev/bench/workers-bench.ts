import { storage } from '@zaiusinc/app-sdk';

import type { AssetItem } from '../../src/lib/delivery';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { startEmulator } from '../bynder-emulator/server';
import { startLocalOcp } from '../cli/sync/workers/local-ocp';
import { buildBenchPortal, changedRecords } from './bench-portal';
import { summariseRequestLog } from './request-log-figures';

// `npm run bench -- --workers 1,2,4`: the install-wide budget with N worker processes, side by
// side with 4 workers of per-process pacing (each worker keeps the budget's row to itself, which
// is how the app paced before the budget was shared). Every rate comes from the emulator's request
// log (its clock, arrival times), from the first request to the last, so the workers' start-up and
// the last answers are not counted against the budget; kvStore figures from the store server's
// count. Nothing is timed in the workers.

export interface WorkersBenchOptions {
  records: number;
  batchSize: number;
  requestsPerSecond: number;
  latencyMs: number;
  /** Bynder's 4,500 per 5 minutes (15/s), scaled down so a block shows within seconds. */
  rateLimit: { limit: number; windowMs: number; quietMs: number };
  /** How long one scenario may run (per-process pacing stays blocked). */
  timeBoxMs: number;
  scenarios: Array<{ workers: number; perProcessPacing: boolean }>;
  progress: (line: string) => void;
}

export const DEFAULT_WORKERS_BENCH: Omit<WorkersBenchOptions, 'scenarios' | 'progress'> = {
  records: 800,
  batchSize: 100,
  requestsPerSecond: 10,
  latencyMs: 40,
  rateLimit: { limit: 150, windowMs: 10_000, quietMs: 10_000 },
  timeBoxMs: 150_000,
};

export interface WorkersBenchRow {
  pacing: 'install-wide' | 'per-process';
  workers: number;
  requests: number;
  /** Requests between the first and the last arrival, per second: (requests - 1) / span. */
  requestsPerSecond: number;
  ofBudget: number;
  /** The most arrivals in any 1-second window. */
  busiestSecond: number;
  /** The most arrivals in any window of 1 s less ARRIVAL_JITTER_MS (see there). */
  busiestSecondLessJitter: number;
  rateLimited: number;
  blockedSeconds: number;
  /** Every kvStore operation the store server answered (reads and writes), per request. */
  kvOpsPerRequest: number;
  /** Of those, on the budget's row (a lease is one patch: one read and one write). */
  budgetRowOpsPerRequest: number;
  /** The budget row's writes alone per request: about its patches (leases, hand-backs) per request. */
  budgetRowWritesPerRequest: number;
  peakRssMiBPerWorker: number;
  applied: number;
  records: number;
}

/**
 * Arrivals are stamped by the emulator in the bench's process, which also serves the workers'
 * stores, on two cores shared with the workers: a request's way from its grant to the stamp varies
 * by tens of ms of event-loop lag, which the budget's 2 % margin (20 ms a second) does not cover.
 * The busiest window is also counted 40 ms short of a second, which that lag cannot fill.
 */
export const ARRIVAL_JITTER_MS = 40;

/** The most arrivals in any window of `windowMs` that begins at an arrival. */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let low = 0;
  for (let high = 0; high < sorted.length; high++) {
    while (sorted[high]! - sorted[low]! >= windowMs) low += 1;
    best = Math.max(best, high - low + 1);
  }
  return best;
}

async function runScenario(
  options: WorkersBenchOptions,
  scenario: { workers: number; perProcessPacing: boolean },
): Promise<WorkersBenchRow> {
  const portal = buildBenchPortal(options.records);
  const emulator = await startEmulator({
    port: 0,
    seed: portal.seed,
    latency: { ms: options.latencyMs, jitterMs: Math.round(options.latencyMs * 0.4) },
    rateLimit: options.rateLimit,
    applyDelayMs: 0,
  });
  // The app's log lines would cost the process that stamps the arrivals (the emulator's) CPU time.
  const ocp = startLocalOcp(scenario.workers, {
    perProcessPacing: scenario.perProcessPacing,
    output: 'ignore',
    env: { LOG_LEVEL: 'NEVER' },
  });
  try {
    await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
    await storage.secrets.put('connection', { token: emulator.token });
    await storage.settings.put('records', { primary_key: 'asset_id', delete_policy: 'archive' });
    await storage.settings.put('throughput', {
      requests_per_second: String(options.requestsPerSecond),
      max_in_flight: '5',
    });
    const records = changedRecords(portal, options.records, `w${scenario.workers}`);
    const batches: AssetItem[][] = [];
    for (let i = 0; i < records.length; i += options.batchSize) {
      batches.push(records.slice(i, i + options.batchSize));
    }
    emulator.clearRequests();
    const kvBefore = ocp.server.operations.kvStore;
    const deadline = Date.now() + options.timeBoxMs;
    let applied = 0;
    const sync = { id: 'bench-workers', name: 'Bench workers' };
    // Every batch is handed to the pool at once; each worker takes the next when it is free, and
    // a retryable answer goes back to whichever worker is free next.
    await Promise.all(
      batches.map(async (items) => {
        for (let attempt = 1; attempt <= 3 && Date.now() < deadline; attempt++) {
          const result = await ocp.pool.deliver({ items, attempt, sync });
          if (result.success) {
            applied += items.length;
            return;
          }
          if (result.retryable !== true) return;
        }
      }),
    );
    await emulator.settle();
    const log = emulator.requests();
    const arrivals = log.map((entry) => entry.at);
    const first = Math.min(...arrivals);
    const last = Math.max(...arrivals);
    const spanS = (last - first) / 1000;
    const rps = spanS > 0 ? (arrivals.length - 1) / spanS : 0;
    // The block lasts at least until quietMs after the last refused request.
    const figures = summariseRequestLog(log, last + options.rateLimit.quietMs);
    const kvOps = ocp.server.operations.kvStore - kvBefore;
    const row: WorkersBenchRow = {
      pacing: scenario.perProcessPacing ? 'per-process' : 'install-wide',
      workers: scenario.workers,
      requests: log.length,
      requestsPerSecond: rps,
      ofBudget: rps / options.requestsPerSecond,
      busiestSecond: busiestWindow(arrivals),
      busiestSecondLessJitter: busiestWindow(arrivals, 1000 - ARRIVAL_JITTER_MS),
      rateLimited: figures.rateLimited,
      blockedSeconds: figures.blockedMs / 1000,
      kvOpsPerRequest: kvOps / Math.max(1, log.length),
      budgetRowOpsPerRequest:
        (ocp.server.kvOperationsByKey.get(KV_ROWS.requestBudget.key) ?? 0) / Math.max(1, log.length),
      budgetRowWritesPerRequest:
        (ocp.server.kvWritesByKey.get(KV_ROWS.requestBudget.key) ?? 0) / Math.max(1, log.length),
      peakRssMiBPerWorker: Math.max(...ocp.pool.peakRssKb()) / 1024,
      applied,
      records: records.length,
    };
    options.progress(
      `${row.pacing} x${row.workers}: ${row.requests} requests, ${row.requestsPerSecond.toFixed(2)}/s, ${row.rateLimited} x 429`,
    );
    return row;
  } finally {
    await ocp.close();
    await emulator.stop();
  }
}

export async function runWorkersBench(options: WorkersBenchOptions): Promise<WorkersBenchRow[]> {
  const rows: WorkersBenchRow[] = [];
  for (const scenario of options.scenarios) rows.push(await runScenario(options, scenario));
  return rows;
}

/**
 * The targets for the install-wide rows: at least 95 % of the budget, no 429, no window (less the
 * arrival jitter) above the budget, every record applied. Per-process rows are the comparison.
 */
export function meetsWorkersTarget(row: WorkersBenchRow): boolean {
  if (row.pacing === 'per-process') return true;
  const budget = DEFAULT_WORKERS_BENCH.requestsPerSecond;
  return (
    row.ofBudget >= 0.95 &&
    row.rateLimited === 0 &&
    row.busiestSecondLessJitter <= budget &&
    row.applied === row.records
  );
}

export function renderWorkersTable(
  rows: readonly WorkersBenchRow[],
  options: Omit<WorkersBenchOptions, 'scenarios' | 'progress'>,
): string {
  const { limit, windowMs, quietMs } = options.rateLimit;
  const head =
    `Workers bench: ${options.records} changed assets in batches of ${options.batchSize}; budget ${options.requestsPerSecond} requests/s; ` +
    `emulator latency ${options.latencyMs} ms (+/-40 %), rate limit ${limit} per ${windowMs / 1000} s, blocked until ${quietMs / 1000} s quiet; ` +
    `time box ${options.timeBoxMs / 1000} s per run; rates from the first to the last arrival in the emulator's log\n\n`;
  const lines = [
    `| pacing | workers | requests/s | of budget | busiest 1 s (1 s - ${ARRIVAL_JITTER_MS} ms) | 429s | blocked s | kvStore ops/request: all (budget row; its writes) | requests/changed asset | applied | peak RSS/worker |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.pacing} | ${r.workers} | ${r.requestsPerSecond.toFixed(2)} | ${(r.ofBudget * 100).toFixed(1)} % | ${r.busiestSecond} (${r.busiestSecondLessJitter}) | ${r.rateLimited} | ${r.blockedSeconds.toFixed(1)} | ${r.kvOpsPerRequest.toFixed(3)} (${r.budgetRowOpsPerRequest.toFixed(3)}; ${r.budgetRowWritesPerRequest.toFixed(3)}) | ${(r.requests / r.records).toFixed(2)} | ${r.applied}/${r.records} | ${r.peakRssMiBPerWorker.toFixed(0)} MiB |`,
    ),
  ];
  return head + lines.join('\n');
}
