import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { DEFAULTS } from '../../src/lib/config';
import { type AssetItem, planBatch } from '../../src/lib/delivery';
import type { BenchAnswer, BenchJob, DeliverAnswer } from './bench-job';
import { benchAssetId, type BenchPortal, buildBenchPortal, changedRecords } from './bench-portal';
import { heapSlopeKbPerBatch } from './heap-slope';
import { runUpload } from './upload-job';
import { deliverByFanOut, deliverSequentially } from './naive-deliverers';
import { configureOurApp, deliverOurs, warmFieldModel } from './our-deliverer';
import { BATCH_SIZE, measureValidationCost } from './validation-cost';

// One bench job in a process of its own (started by run-bench.ts with `node --expose-gc --require tsx/cjs`):
// the job comes as JSON in argv[2], the answer goes back over the IPC channel. Peak RSS is this
// process's own (`process.resourceUsage().maxRSS`, in KB).

function inBatchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

const maxRssKb = () => process.resourceUsage().maxRSS;

async function runDeliver(job: Extract<BenchJob, { kind: 'deliver' }>): Promise<DeliverAnswer> {
  const portal = buildBenchPortal(job.records);
  const records = changedRecords(portal, job.records);
  return job.deliverer === 'ours' ? runOurs(job, records) : runNaive(job, portal, records);
}

async function runOurs(
  job: Extract<BenchJob, { kind: 'deliver' }>,
  records: AssetItem[],
): Promise<DeliverAnswer> {
  await configureOurApp(job.target, job.throughput);
  await warmFieldModel();
  const startedAt = Date.now();
  const tally = await deliverOurs(inBatchesOf(records, BATCH_SIZE), { sampleHeapEvery: 1 });
  return {
    kind: 'deliver',
    applied: null, // deliver() reports per batch, not per record: the parent counts from the emulator
    startedAt,
    elapsedMs: tally.elapsedMs,
    timedOut: false,
    failures: tally.failures,
    // Skip the first batches: they fill caches and compile code once.
    heapSlopeKbPerBatch: heapSlopeKbPerBatch(tally.heap.filter((s) => s.batches > 2)),
    maxRssKb: maxRssKb(),
  };
}

/** The naive deliverers send the very forms ours would (encoded once, before timing). */
async function runNaive(
  job: Extract<BenchJob, { kind: 'deliver' }>,
  portal: BenchPortal,
  records: AssetItem[],
): Promise<DeliverAnswer> {
  const policy = {
    deletePolicy: DEFAULTS.deletePolicy,
    emptyValues: DEFAULTS.emptyValues,
    unknownOptions: DEFAULTS.unknownOptions,
  };
  const changes = planBatch(records, portal.model, policy).writes.map((write) => ({
    id: write.key,
    form: write.form,
  }));
  const deliver = job.deliverer === 'sequential' ? deliverSequentially : deliverByFanOut;
  const startedAt = Date.now();
  const tally = await deliver(job.target, changes, job.timeBoxMs);
  return {
    kind: 'deliver',
    applied: tally.applied,
    startedAt,
    elapsedMs: tally.elapsedMs,
    timedOut: tally.timedOut,
    failures: [],
    maxRssKb: maxRssKb(),
  };
}

/**
 * Memory against the number of batches: `batches` batches of 100 through deliver(), each with one
 * real write, 49 records rejected (`archive: "maybe"`: they go to the bounded rejection log) and 50 deletes under the "ignore" policy (settled without a request). Heap after GC every 10.
 */
async function runMemory(job: Extract<BenchJob, { kind: 'memory' }>): Promise<BenchAnswer> {
  const portal = buildBenchPortal(job.batches);
  await configureOurApp(job.target, job.throughput, { delete_policy: 'ignore' });
  await warmFieldModel();
  const writes = changedRecords(portal, job.batches, 'memory');
  const batches: AssetItem[][] = writes.map((write, b) => {
    const batch: AssetItem[] = [write];
    const id = (i: number) => benchAssetId(1_000_000 + b * 100 + i);
    for (let i = 1; i < 50; i += 1) {
      batch.push({ asset_id: id(i), description: `rejected ${b}-${i}`, archive: 'maybe' });
    }
    for (let i = 50; i < 100; i += 1) batch.push({ asset_id: id(i), _isDeleted: true });
    return batch;
  });
  const tally = await deliverOurs(batches, {
    syncId: 'bench-memory',
    sampleHeapEvery: 10,
    retryPauseMs: 200,
  });
  const samples = tally.heap.filter((s) => s.batches > 10);
  const mb = (bytes: number | undefined) => (bytes ?? 0) / 1024 / 1024;
  return {
    kind: 'memory',
    batches: tally.batches,
    heapSlopeKbPerBatch: heapSlopeKbPerBatch(samples),
    heapFirstMb: mb(samples[0]?.heapUsedBytes),
    heapLastMb: mb(samples.at(-1)?.heapUsedBytes),
    maxRssKb: maxRssKb(),
  };
}

async function runRetry(job: Extract<BenchJob, { kind: 'retry' }>): Promise<BenchAnswer> {
  const portal = buildBenchPortal(job.records);
  const items = changedRecords(portal, job.records, 'retry');
  await configureOurApp(job.target, job.throughput);
  await warmFieldModel();
  const destination = new BynderAssetSync();
  const sync = { id: 'bench-retry', name: 'Bench retry' };
  const first = await destination.deliver({ items, attempt: 1, sync });
  const attempt2StartedAt = Date.now();
  const second = await destination.deliver({ items, attempt: 2, sync });
  const outcome = (result: typeof first) => ({
    success: result.success,
    ...(result.retryable !== undefined ? { retryable: result.retryable } : {}),
  });
  return {
    kind: 'retry',
    attempt1: outcome(first),
    attempt2: outcome(second),
    attempt2StartedAt,
    maxRssKb: maxRssKb(),
  };
}

async function run(job: BenchJob): Promise<BenchAnswer> {
  switch (job.kind) {
    case 'deliver':
      return runDeliver(job);
    case 'memory':
      return runMemory(job);
    case 'retry':
      return runRetry(job);
    case 'upload':
      return runUpload(job);
    case 'validation': {
      const cost = measureValidationCost(buildBenchPortal(1), job.records);
      return { kind: 'validation', ...cost, maxRssKb: maxRssKb() };
    }
  }
}

const send = (message: BenchAnswer | { kind: 'error'; message: string }) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

run(JSON.parse(process.argv[2] ?? '{}') as BenchJob)
  .then(send)
  .catch(async (error: unknown) => {
    await send({
      kind: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exitCode = 1;
  })
  .finally(() => {
    // Keep-alive sockets and timers must not hold the child open once it has answered.
    setTimeout(() => process.exit(), 50).unref();
  });
