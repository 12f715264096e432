import { LogLevel, resetLocalStores, setLogLevel, storage } from '@zaiusinc/app-sdk';

import type { AssetItem } from '../../src/lib/delivery';
import { startEmulator } from '../bynder-emulator/server';
import { buildBenchPortal, changedRecord } from './bench-portal';
import { configureOurApp, deliverOurs, type Throughput, warmFieldModel } from './our-deliverer';

// The fixed cost of a batch in store calls: what deliver() spends on the SDK's stores (kvStore,
// settings, secrets) for batches of 1, 10 and 100 changed records, in steady state (the field model
// cached, the install's rows in place: each size is warmed by one batch first). Counted by wrapping
// the store objects `storage` hands out, so it counts the same under the real SDK and the stand-in.
// No latency, no rate limit: only the calls are measured here, not time.
//
// "Before" is the same measurement of the version before the state-row layer (commit 266856d, this
// file run in a copy of that tree): one process cannot hold both versions, so it is recorded here.

export const BATCH_COST_SIZES = [1, 10, 100] as const;
/** Store calls a one-record batch may make in all (kvStore, settings and secrets). */
export const BATCH_COST_TARGET = 12;
const MEASURED_BATCHES = 5;

export interface BatchCostFigure {
  batchSize: number;
  /** Per batch, averaged over the measured batches. */
  storeCalls: number;
  kvStoreCalls: number;
  settingsCalls: number;
  secretsCalls: number;
  /** Per record. */
  storeCallsPerRecord: number;
  kvStoreCallsPerRecord: number;
}

/** Measured with this file on commit 266856d (before the state-row layer), `npm run bench -- --batch-cost`. */
export const BATCH_COST_BEFORE: readonly BatchCostFigure[] = [
  figure(1, 14, 3, 1),
  figure(10, 14.4, 3, 1),
  figure(100, 26.6, 3, 1),
];

function figure(batchSize: number, kv: number, settings: number, secrets: number): BatchCostFigure {
  const store = kv + settings + secrets;
  return {
    batchSize,
    storeCalls: store,
    kvStoreCalls: kv,
    settingsCalls: settings,
    secretsCalls: secrets,
    storeCallsPerRecord: store / batchSize,
    kvStoreCallsPerRecord: kv / batchSize,
  };
}

const METHODS = ['get', 'put', 'patch', 'delete', 'increment'] as const;

/** Counts every call on the three stores until `stop` is called (the methods are restored then). */
function countStoreCalls(): { counts: () => Record<string, number>; stop: () => void } {
  const counts: Record<string, number> = { kvStore: 0, settings: 0, secrets: 0 };
  const restore: Array<() => void> = [];
  const stores = { kvStore: storage.kvStore, settings: storage.settings, secrets: storage.secrets };
  for (const [name, store] of Object.entries(stores)) {
    // The stores share no type listing every method; each wrapped one exists (checked just below).
    const methods = store as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const method of METHODS) {
      const original = methods[method];
      if (typeof original !== 'function') continue;
      methods[method] = (...args: unknown[]) => {
        counts[name] = (counts[name] ?? 0) + 1;
        return original.apply(store, args);
      };
      restore.push(() => {
        methods[method] = original;
      });
    }
  }
  return { counts: () => ({ ...counts }), stop: () => restore.forEach((undo) => undo()) };
}

export async function runBatchCostBench(options: {
  throughput: Throughput;
  progress: (line: string) => void;
}): Promise<BatchCostFigure[]> {
  // The batches' log lines would bury the table on stdout; only the calls matter here.
  setLogLevel(LogLevel.NEVER);
  const largest = Math.max(...BATCH_COST_SIZES);
  const portal = buildBenchPortal((MEASURED_BATCHES + 1) * largest);
  const emulator = await startEmulator({ seed: portal.seed, rateLimit: false });
  try {
    resetLocalStores();
    await configureOurApp({ url: emulator.url, token: emulator.token }, options.throughput);
    await warmFieldModel();
    const ids = portal.seed.assets.map((asset) => asset.id);
    let run = 0;
    const batchOf = (size: number, offset: number): AssetItem[] =>
      ids.slice(offset, offset + size).map((id, i) => changedRecord(portal, id, i, `cost-${(run += 1)}`));
    const figures: BatchCostFigure[] = [];
    for (const size of BATCH_COST_SIZES) {
      // Warm: the rows this size touches exist, as in a sync that has been running.
      await deliverOurs([batchOf(size, 0)], { syncId: `cost-${size}`, retryPauseMs: 0 });
      const counter = countStoreCalls();
      let failed = 0;
      try {
        for (let b = 1; b <= MEASURED_BATCHES; b += 1) {
          const tally = await deliverOurs([batchOf(size, b * size)], {
            syncId: `cost-${size}`,
            retryPauseMs: 0,
          });
          failed += tally.failedBatches + (tally.attempts - tally.batches);
        }
      } finally {
        counter.stop();
      }
      if (failed > 0) throw new Error(`batch cost: ${failed} batches of ${size} failed or were retried`);
      const counts = counter.counts();
      const per = (n: number | undefined) => (n ?? 0) / MEASURED_BATCHES;
      const measured = figure(size, per(counts.kvStore), per(counts.settings), per(counts.secrets));
      options.progress(
        `batch cost: ${size} records: ${measured.storeCalls} store calls per batch (${measured.kvStoreCalls} kvStore)`,
      );
      figures.push(measured);
    }
    return figures;
  } finally {
    await emulator.stop();
  }
}

/** Before and after side by side, per batch and per record. */
export function renderBatchCostTable(after: readonly BatchCostFigure[]): string {
  const header = [
    'batch size',
    'store calls/batch before',
    'after',
    'kvStore/batch before',
    'after',
    'store calls/record before',
    'after',
    'kvStore/record before',
    'after',
  ];
  const rows = after.map((a) => {
    const b = BATCH_COST_BEFORE.find((f) => f.batchSize === a.batchSize);
    const n = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));
    return [
      String(a.batchSize),
      n(b?.storeCalls),
      n(a.storeCalls),
      n(b?.kvStoreCalls),
      n(a.kvStoreCalls),
      n(b?.storeCallsPerRecord, 2),
      n(a.storeCallsPerRecord, 2),
      n(b?.kvStoreCallsPerRecord, 2),
      n(a.kvStoreCallsPerRecord, 2),
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const one = after.find((f) => f.batchSize === 1);
  const verdict = one
    ? `one-record batch: ${one.storeCalls} store calls, target ≤ ${BATCH_COST_TARGET}: ${meetsBatchCostTarget(after) ? 'met' : 'MISSED'}`
    : '';
  return [
    'fixed cost per batch (steady state; "before" recorded from commit 266856d, see dev/bench/batch-cost.ts)',
    ...all.map((r) => r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  ')),
    verdict,
  ].join('\n');
}

export function meetsBatchCostTarget(figures: readonly BatchCostFigure[]): boolean {
  const one = figures.find((f) => f.batchSize === 1);
  return one !== undefined && one.storeCalls <= BATCH_COST_TARGET;
}
