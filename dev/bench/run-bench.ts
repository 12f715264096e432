import { spawn } from 'node:child_process';
import path from 'node:path';

import { DEFAULTS } from '../../src/lib/config';
import { type RateLimitSettings, type RunningEmulator, startEmulator } from '../bynder-emulator/server';
import type {
  BenchAnswer,
  BenchJob,
  DeliverAnswer,
  DelivererName,
  MemoryAnswer,
  RetryAnswer,
  ValidationAnswer,
} from './bench-job';
import { buildBenchPortal, changedRecords } from './bench-portal';
import type { PortalTarget } from './naive-deliverers';
import type { Throughput } from './our-deliverer';
import { type RequestLogFigures, summariseRequestLog } from './request-log-figures';

// `npm run bench`: the three deliverers against a fresh emulator each (same seed, realistic latency,
// Bynder's rate limit scaled down in time), then the no-network and retry measurements.

export const DELIVERERS: readonly DelivererName[] = ['sequential', 'fanout', 'ours'];

export interface BenchOptions {
  records: number;
  /** Mean emulator latency per request; the jitter spreads it ±20 %. */
  latencyMs: number;
  /** How long each naive deliverer may run. */
  timeBoxMs: number;
  only: readonly DelivererName[];
  /** Records for the validation cost (no network). */
  validationRecords: number;
  /** Batches for the memory measurement. */
  memoryBatches: number;
  throughput: Throughput;
  /** Progress lines (stderr), so stdout can carry the table or the JSON alone. */
  progress: (line: string) => void;
}

export const DEFAULT_BENCH_OPTIONS: Omit<BenchOptions, 'progress'> = {
  records: 2_000,
  latencyMs: 150,
  timeBoxMs: 35_000,
  only: DELIVERERS,
  validationRecords: 100_000,
  memoryBatches: 100,
  throughput: { requestsPerSecond: DEFAULTS.requestsPerSecond, maxInFlight: DEFAULTS.maxInFlight },
};

/**
 * Bynder allows 4,500 requests per 300 s (15/s) against our default budget of 10/s, and lifts a
 * block after 300 quiet seconds: the quiet period equals the window. The bench keeps both ratios in
 * a 15× shorter time frame: 1.5 × the budget over a 20 s window, and 20 s of quiet to lift a block.
 * A fan-out meets the block within a second, and the whole bench stays within 5 minutes.
 */
const BYNDER_ALLOWED_PER_SECOND = 4_500 / 300;
const BENCH_WINDOW_MS = 20_000;
const BENCH_QUIET_MS = 20_000;

export function scaledRateLimit(throughput: Throughput): RateLimitSettings {
  const allowedPerSecond =
    throughput.requestsPerSecond * (BYNDER_ALLOWED_PER_SECOND / DEFAULTS.requestsPerSecond);
  return {
    limit: Math.round((allowedPerSecond * BENCH_WINDOW_MS) / 1000),
    windowMs: BENCH_WINDOW_MS,
    quietMs: BENCH_QUIET_MS,
  };
}

export interface DelivererFigures {
  recordsPerSecond: number;
  requestsPerRecord: number | null;
  rateLimited: number;
  blockedMs: number;
  peakRssMb: number;
  /** Records the emulator holds as changed after the run (settled). */
  appliedInEmulator: number;
  records: number;
  requests: number;
  elapsedMs: number;
  timedOut: boolean;
}

export interface OurFigures extends DelivererFigures {
  /** requests / (budget × elapsed): how much of the request budget the run used. */
  budgetRatio: number;
  heapSlopeKbPerBatch: number | undefined;
  failures: string[];
}

export interface BenchReport {
  sequential: DelivererFigures | null;
  fanout: DelivererFigures | null;
  ours: OurFigures | null;
  validationMicrosPerRecord: number;
  /** Requests attempt 2 sent for records attempt 1 had applied (must be 0). */
  retryRequests: number;
  details: {
    validation: { records: number; planned: number };
    retry: {
      records: number;
      pendingAfterAttempt1: number;
      attempt2Requests: number;
      attempt2Success: boolean;
    };
    memory: { batches: number; heapSlopeKbPerBatch: number; heapFirstMb: number; heapLastMb: number };
    settings: {
      records: number;
      latencyMs: number;
      timeBoxMs: number;
      throughput: Throughput;
      rateLimit: RateLimitSettings;
    };
  };
}

const RUN_ONE = path.join(__dirname, 'run-one.ts');
const PROJECT_ROOT = path.join(__dirname, '../..');

/** Runs one job in a child process (`node --expose-gc --require tsx/cjs run-one.ts <job>`) and returns its answer. */
export function runChild<A extends BenchAnswer>(
  job: BenchJob,
  kind: A['kind'],
  progress: (line: string) => void,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--require', 'tsx/cjs', RUN_ONE, JSON.stringify(job)],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, LOG_LEVEL: 'NEVER' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    let answer: BenchAnswer | { kind: 'error'; message: string } | undefined;
    child.on('message', (message) => {
      answer = message as typeof answer;
    });
    const forward = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => progress(`  [${job.kind}] ${line}`));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer?.kind === kind) resolve(answer as A);
      else if (answer?.kind === 'error') reject(new Error(`bench job ${job.kind} failed: ${answer.message}`));
      else reject(new Error(`bench job ${job.kind} ended (exit ${String(code)}) without an answer`));
    });
  });
}

const targetOf = (emulator: RunningEmulator): PortalTarget => ({ url: emulator.url, token: emulator.token });
const latencyOf = (ms: number) => ({ ms: ms * 0.8, jitterMs: ms * 0.4 });

/** How many of the records the emulator now holds as changed (the record's description is in place). */
async function countApplied(emulator: RunningEmulator, records: number): Promise<number> {
  await emulator.settle();
  const portal = buildBenchPortal(records);
  const expected = new Map(changedRecords(portal, records).map((r) => [String(r.asset_id), r.description]));
  return emulator.snapshot().assets.filter((asset) => expected.get(asset.id) === asset.description).length;
}

async function benchDeliverer(
  deliverer: DelivererName,
  options: BenchOptions,
): Promise<DelivererFigures | OurFigures> {
  const { seed } = buildBenchPortal(options.records);
  const emulator = await startEmulator({
    seed,
    latency: latencyOf(options.latencyMs),
    rateLimit: scaledRateLimit(options.throughput),
  });
  try {
    options.progress(
      `${deliverer}: ${options.records} records against ${emulator.url}${deliverer === 'ours' ? '' : ` (time box ${options.timeBoxMs / 1000} s)`}`,
    );
    const answer = await runChild<DeliverAnswer>(
      {
        kind: 'deliver',
        deliverer,
        target: targetOf(emulator),
        records: options.records,
        timeBoxMs: options.timeBoxMs,
        throughput: options.throughput,
      },
      'deliver',
      options.progress,
    );
    const endAt = answer.startedAt + answer.elapsedMs;
    const timed = emulator.requests().filter((entry) => entry.at >= answer.startedAt);
    const log: RequestLogFigures = summariseRequestLog(timed, endAt);
    const appliedInEmulator = await countApplied(emulator, options.records);
    const applied = answer.applied ?? appliedInEmulator;
    const seconds = answer.elapsedMs / 1000;
    const figures: DelivererFigures = {
      recordsPerSecond: applied / seconds,
      requestsPerRecord: applied > 0 ? log.requests / applied : null,
      rateLimited: log.rateLimited,
      blockedMs: log.blockedMs,
      peakRssMb: answer.maxRssKb / 1024,
      appliedInEmulator,
      records: options.records,
      requests: log.requests,
      elapsedMs: answer.elapsedMs,
      timedOut: answer.timedOut,
    };
    options.progress(
      `${deliverer}: ${applied} applied in ${seconds.toFixed(1)} s, ${log.requests} requests, ${log.rateLimited} answered 429`,
    );
    if (deliverer !== 'ours') return figures;
    return {
      ...figures,
      budgetRatio: log.requests / (options.throughput.requestsPerSecond * seconds),
      heapSlopeKbPerBatch: answer.heapSlopeKbPerBatch,
      failures: answer.failures,
    };
  } finally {
    await emulator.stop();
  }
}

/**
 * Attempt 2 of a batch that attempt 1 left partly pending: three records answer 503 four times (the
 * client's three retries included), the rest are applied. Counts attempt 2's requests for the rest.
 */
async function benchRetry(
  options: BenchOptions,
): Promise<BenchReport['details']['retry'] & { retryRequests: number }> {
  const records = 20;
  const { seed } = buildBenchPortal(records);
  const emulator = await startEmulator({ seed, rateLimit: scaledRateLimit(options.throughput) });
  try {
    const failing = seed.assets.slice(0, 3).map((asset) => asset.id);
    for (const id of failing) {
      emulator.faults.add({ match: `POST /api/v4/media/${id}/`, status: 503, times: 4 });
    }
    const answer = await runChild<RetryAnswer>(
      { kind: 'retry', target: targetOf(emulator), records, throughput: options.throughput },
      'retry',
      options.progress,
    );
    const posts = emulator.requests({ route: 'POST /api/v4/media/:id/' });
    const idOf = (p: string) => decodeURIComponent(p.split('/').filter(Boolean).at(-1) ?? '');
    const appliedInAttempt1 = new Set(
      posts
        .filter((e) => e.at < answer.attempt2StartedAt && e.status >= 200 && e.status < 300)
        .map((e) => idOf(e.path)),
    );
    const attempt2 = posts.filter((e) => e.at >= answer.attempt2StartedAt);
    return {
      records,
      pendingAfterAttempt1: records - appliedInAttempt1.size,
      attempt2Requests: attempt2.length,
      attempt2Success: answer.attempt2.success,
      retryRequests: attempt2.filter((e) => appliedInAttempt1.has(idOf(e.path))).length,
    };
  } finally {
    await emulator.stop();
  }
}

async function benchMemory(options: BenchOptions): Promise<MemoryAnswer> {
  const { seed } = buildBenchPortal(options.memoryBatches);
  const emulator = await startEmulator({ seed, rateLimit: false });
  try {
    // No latency and the highest budget the settings allow: the batches, not the network, are measured.
    return await runChild<MemoryAnswer>(
      {
        kind: 'memory',
        target: targetOf(emulator),
        batches: options.memoryBatches,
        throughput: { requestsPerSecond: 15, maxInFlight: 10 },
      },
      'memory',
      options.progress,
    );
  } finally {
    await emulator.stop();
  }
}

/** Validation cost, retry re-sends and memory: the measurements that need no realistic network. */
async function benchOffline(options: BenchOptions) {
  const { progress } = options;
  progress(
    `validation and encoding: ${options.validationRecords.toLocaleString('en-US')} records, no network`,
  );
  const validation = await runChild<ValidationAnswer>(
    { kind: 'validation', records: options.validationRecords },
    'validation',
    progress,
  );
  progress('retry: attempt 2 of a batch attempt 1 left partly pending');
  const retry = await benchRetry(options);
  progress(`memory: ${options.memoryBatches} batches through deliver()`);
  const memory = await benchMemory(options);
  return { validation, retry, memory };
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const figures: Partial<Record<DelivererName, DelivererFigures | OurFigures>> = {};
  const run = async (deliverer: DelivererName) => {
    if (options.only.includes(deliverer)) figures[deliverer] = await benchDeliverer(deliverer, options);
  };
  // The offline measurements share the time of the sequential loop, which waits on latency and
  // leaves the second core idle; everything else runs alone, so the whole bench stays within 5 minutes.
  const [offline] = await Promise.all([benchOffline(options), run('sequential')]);
  await run('fanout');
  await run('ours');
  const { validation, retry, memory } = offline;
  const { retryRequests, ...retryDetails } = retry;
  return {
    sequential: figures.sequential ?? null,
    fanout: figures.fanout ?? null,
    ours: (figures.ours as OurFigures | undefined) ?? null,
    validationMicrosPerRecord: validation.microsPerRecord,
    retryRequests,
    details: {
      validation: { records: validation.records, planned: validation.planned },
      retry: retryDetails,
      memory: {
        batches: memory.batches,
        heapSlopeKbPerBatch: memory.heapSlopeKbPerBatch,
        heapFirstMb: memory.heapFirstMb,
        heapLastMb: memory.heapLastMb,
      },
      settings: {
        records: options.records,
        latencyMs: options.latencyMs,
        timeBoxMs: options.timeBoxMs,
        throughput: options.throughput,
        rateLimit: scaledRateLimit(options.throughput),
      },
    },
  };
}
