import { logger, LogLevel, setLogLevel, storage } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { devOverrides, sdkDeps } from '../../src/destinations/sdk-deps';
import { DEFAULTS } from '../../src/lib/config';
import { continueCreations } from '../../src/lib/delivery/creation-job';
import type { AssetItem } from '../../src/lib/delivery/asset-item';
import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';
import type { RequestLogEntry } from '../bynder-emulator/middleware/request-log';
import { startEmulator } from '../bynder-emulator/server';
import { startFileHost } from '../file-host/server';
import { exitCode } from '../cli/exit-codes';

// `npm run bench -- --create` (or `npx tsx dev/bench/create-bench.ts [--small N] [--large N]`): creating assets from files through
// deliver() and the creation job, at the default request budget, against an emulator with the
// delivery bench's latency (150 ms ± 20 %) and files from the loopback file host. Measures assets per
// second, Bynder requests per created asset (everything but the S3 chunks: lookup, endpoint, init,
// registrations, finalise, polls, save), and the share of the request budget used
// (requests / (seconds × requests per second)). Polls: one request per 2 s while an import converts
// (the emulator converts in 2 s), at most 60 per asset (DEFAULT_MAX_POLLS).

interface Phase {
  label: string;
  count: number;
  size: string;
}

export interface CreateBenchOptions {
  /** Records with 100 KB files (default 200) and with 50 MB files (default 20). */
  small: number;
  large: number;
  progress?: (line: string) => void;
  /** Each phase's Bynder requests (the emulator's log, S3 left out) and its span in epoch ms. */
  timeline?: (phase: {
    label: string;
    startedAt: number;
    endedAt: number;
    requests: RequestLogEntry[];
  }) => void;
}

export const DEFAULT_CREATE_BENCH: CreateBenchOptions = { small: 200, large: 20 };
/** The share of the request budget creations must use. */
export const CREATE_BUDGET_TARGET = 0.9;

export interface CreateBenchRow {
  label: string;
  records: number;
  created: number;
  seconds: number;
  bynderRequests: number;
  polls: number;
  budgetShare: number;
}

export async function runCreateBench(options: CreateBenchOptions): Promise<CreateBenchRow[]> {
  process.env[LOOPBACK_PORTAL_SWITCH] ??= '1';
  // The SDK read LOG_LEVEL when it loaded (before this runs under `npm run bench`): set it here.
  if (process.env.LOG_LEVEL === undefined) setLogLevel(LogLevel.Warn);
  logger.info = () => undefined;
  const phases: Phase[] = [
    { label: '100 KB files', count: options.small, size: '100k' },
    { label: '50 MB files', count: options.large, size: '50m' },
  ];
  const emulator = await startEmulator({ rateLimit: false, latency: { ms: 120, jitterMs: 60 } });
  const files = await startFileHost();
  devOverrides.jobs = { trigger: () => Promise.resolve() };
  try {
    await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
    await storage.secrets.put('connection', { token: emulator.token });
    await storage.settings.put('records', {
      primary_key: 'external_key',
      external_key_metaproperty: 'bench_key',
      missing_assets: 'create',
      brand_id: emulator.snapshot().brands[0]?.id ?? '',
    });
    await storage.settings.put('throughput', { requests_per_second: DEFAULTS.requestsPerSecond });
    const seed = emulator.snapshot();
    emulator.seed({
      ...seed,
      metaproperties: {
        ...seed.metaproperties,
        bench_key: { id: 'BENCH-KEY-0000-0000-000000000001', name: 'bench_key', type: 'text' },
      },
    });
    const rows: CreateBenchRow[] = [];
    for (const phase of phases) {
      if (phase.count === 0) continue;
      emulator.clearRequests();
      const started = performance.now();
      const startedAt = Date.now();
      const items: AssetItem[] = Array.from({ length: phase.count }, (_, i) => ({
        bench_key: `${phase.size}-${i + 1}`,
        name: `Bench ${phase.size} ${i + 1}`,
        file_url: files.fileUrl(phase.size, `bench-${i + 1}.jpg`),
      }));
      // OCP's batches of 100, each retried while it asks for it (at most 4 attempts, as OCP does).
      for (let start = 0; start < items.length; start += 100) {
        const batch = items.slice(start, start + 100);
        for (let attempt = 1; attempt <= 4; attempt += 1) {
          const result = await new BynderAssetSync().deliver({
            items: batch,
            attempt,
            sync: { id: `bench-${phase.size}`, name: `bench ${phase.label}` },
          });
          if (result.success || !result.retryable) break;
        }
      }
      // What was queued for creation: the job, run back to back as its trigger would.
      for (let run = 0; run < 50; run += 1) {
        const done = await continueCreations(sdkDeps());
        if (done.remaining === 0) break;
      }
      const seconds = (performance.now() - started) / 1000;
      const created = emulator
        .snapshot()
        .assets.filter((asset) => String(asset.property_bench_key ?? '').startsWith(`${phase.size}-`)).length;
      const bynder = emulator.requests().filter((request) => request.host !== 's3');
      const polls = bynder.filter((request) => request.route === 'GET /api/v4/upload/poll/').length;
      const row: CreateBenchRow = {
        label: phase.label,
        records: phase.count,
        created,
        seconds,
        bynderRequests: bynder.length,
        polls,
        budgetShare: bynder.length / (seconds * DEFAULTS.requestsPerSecond),
      };
      options.timeline?.({ label: phase.label, startedAt, endedAt: Date.now(), requests: bynder });
      rows.push(row);
      options.progress?.(renderCreateRow(row));
    }
    return rows;
  } finally {
    await files.stop();
    await emulator.stop();
  }
}

function renderCreateRow(row: CreateBenchRow): string {
  const per = (n: number) => (n / Math.max(row.created, 1)).toFixed(1);
  return `| ${row.label} | ${row.records} | ${row.created} | ${row.seconds.toFixed(1)} | ${(row.created / row.seconds).toFixed(2)} | ${per(row.bynderRequests)} | ${per(row.polls)} | ${Math.round(row.budgetShare * 100)} % |`;
}

export function renderCreateTable(rows: readonly CreateBenchRow[]): string {
  return [
    '| Files | Records | Assets created | Seconds | Assets/s | Bynder requests per asset | of which polls | Request budget used |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(renderCreateRow),
  ].join('\n');
}

/** Every record became an asset, and each phase used at least CREATE_BUDGET_TARGET of the budget. */
export function meetsCreateTarget(rows: readonly CreateBenchRow[]): boolean {
  return rows.every((row) => row.created === row.records && row.budgetShare >= CREATE_BUDGET_TARGET);
}

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

if (require.main === module) {
  void runCreateBench({
    small: argument('small', DEFAULT_CREATE_BENCH.small),
    large: argument('large', DEFAULT_CREATE_BENCH.large),
    progress: (line) => process.stderr.write(`${line}\n`),
  }).then((rows) => {
    process.stdout.write(`${renderCreateTable(rows)}\n`);
    if (!meetsCreateTarget(rows)) process.exitCode = exitCode('checkFailed');
  });
}
