import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import pLimit from 'p-limit';

import { SECTION } from '../../src/lib/config';
import type { AppConfig } from '../../src/lib/config';
import { type AssetItem, planBatch } from '../../src/lib/delivery';
import { type RunningEmulator, startEmulator } from '../bynder-emulator/server';
import { type BenchPortal, buildBenchPortal, changedRecord } from './bench-portal';
import { configureOurApp, deliverOurs, type Throughput, warmFieldModel } from './our-deliverer';
import { scaledRateLimit } from './run-bench';

// `npm run bench -- --changed 0,10,100`: what change detection saves. The portal first holds the
// values of 2,000 records (written straight into the emulator, not through the app, so no write is
// "recent"); then those records are synced again through BynderAssetSync.deliver() with a share of
// them changed, once with change detection (read_first) and once without (write_all), each against
// the same emulator settings as the main bench (latency, the scaled rate limit, the default budget).

/**
 * The change-detection setting, or `read_first_add`: read_first with the tags synced through
 * `tags_add` (add values), which change detection folds into the whole list from its own read: the
 * same requests as read_first, none of their own.
 */
export type ChangeMode = AppConfig['changeDetection'] | 'read_first_add';
const MODES: readonly ChangeMode[] = ['read_first', 'read_first_add', 'write_all'];
const isReadFirst = (mode: ChangeMode): boolean => mode !== 'write_all';

/** The record with its tags as add values (`tags_add`) instead of the whole list. */
function withTagsAdded(record: AssetItem): AssetItem {
  const { tags, ...rest } = record;
  return { ...rest, tags_add: tags };
}
const BATCH_SIZE = 100;
const MODIFY = 'POST /api/v4/media/:id/';
const READ = 'GET /api/v4/media/';

export interface ChangeBenchOptions {
  records: number;
  /** Percentages of the records that change, e.g. [0, 10, 100]. */
  changed: readonly number[];
  latencyMs: number;
  throughput: Throughput;
  progress: (line: string) => void;
}

export interface ChangeFigures {
  changedPercent: number;
  mode: ChangeMode;
  records: number;
  changedRecords: number;
  requests: number;
  reads: number;
  writes: number;
  requestsPerRecord: number;
  recordsPerSecond: number;
  /** requests / (budget × elapsed). */
  budgetRatio: number;
  rateLimited: number;
  elapsedMs: number;
  /** Records whose asset holds the record's description after the run (settled). */
  inPlace: number;
}

/** Requests per record each share of changed records may cost with change detection on. */
export const CHANGE_TARGETS: ReadonlyMap<number, number> = new Map([
  [0, 0.02],
  [10, 0.12],
  [100, 1.02],
]);

export async function runChangeBench(options: ChangeBenchOptions): Promise<ChangeFigures[]> {
  const portal = buildBenchPortal(options.records);
  const figures: ChangeFigures[] = [];
  for (const percent of options.changed) {
    for (const mode of MODES) figures.push(await benchOne(portal, percent, mode, options));
  }
  return figures;
}

/** The records the portal holds before the run, and the records the run syncs. */
function recordsFor(portal: BenchPortal, count: number, percent: number) {
  const ids = portal.seed.assets.slice(0, count).map((asset) => asset.id);
  const held = ids.map((id, i) => changedRecord(portal, id, i, 'held'));
  const changedCount = Math.round((count * percent) / 100);
  // Spread the changed ones over the batches: every tenth record for 10 %, and so on.
  const step = changedCount > 0 ? count / changedCount : Infinity;
  const isChanged = new Set(Array.from({ length: changedCount }, (_, k) => Math.floor(k * step)));
  const synced = ids.map((id, i) => (isChanged.has(i) ? changedRecord(portal, id, i, 'changed') : held[i]));
  return { held, synced: synced as AssetItem[], changedCount };
}

/** Writes the held records' forms straight into the emulator (no latency, no limit) and settles. */
async function holdRecords(emulator: RunningEmulator, portal: BenchPortal, held: readonly AssetItem[]) {
  const plan = planBatch(held, portal.model, {
    deletePolicy: 'archive',
    emptyValues: 'leave',
    unknownOptions: 'reject',
  });
  const limit = pLimit(20);
  await Promise.all(
    plan.writes.map((write) =>
      limit(async () => {
        const answer = await fetch(`${emulator.url}/api/v4/media/${write.key}/`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${emulator.token}`,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams(write.form).toString(),
        });
        if (answer.status !== 202) {
          throw new Error(`holding ${write.key}: the emulator answered ${answer.status}`);
        }
      }),
    ),
  );
  await emulator.settle();
}

async function benchOne(
  portal: BenchPortal,
  percent: number,
  mode: ChangeMode,
  options: ChangeBenchOptions,
): Promise<ChangeFigures> {
  const { held, synced, changedCount } = recordsFor(portal, options.records, percent);
  const emulator = await startEmulator({ seed: portal.seed, rateLimit: false });
  try {
    await holdRecords(emulator, portal, held);
    emulator.configure({
      latency: { ms: options.latencyMs * 0.8, jitterMs: options.latencyMs * 0.4 },
      rateLimit: scaledRateLimit(options.throughput),
    });
    resetLocalStores();
    const target = { url: emulator.url, token: emulator.token };
    await configureOurApp(target, options.throughput);
    await storage.settings.patch(SECTION.throughput, {
      change_detection: isReadFirst(mode) ? 'read_first' : 'write_all',
    });
    await warmFieldModel();
    options.progress(`changed ${percent} %, ${mode}: ${options.records} records (${changedCount} changed)`);

    const startedAt = Date.now();
    const sent = mode === 'read_first_add' ? synced.map(withTagsAdded) : synced;
    const batches = Array.from({ length: Math.ceil(sent.length / BATCH_SIZE) }, (_, b) =>
      sent.slice(b * BATCH_SIZE, (b + 1) * BATCH_SIZE),
    );
    const tally = await deliverOurs(batches, { syncId: `bench-changed-${percent}-${mode}` });
    const timed = emulator.requests().filter((entry) => entry.at >= startedAt);
    await emulator.settle();
    const expected = new Map(synced.map((record) => [String(record.asset_id), record.description]));
    const inPlace = emulator
      .snapshot()
      .assets.filter((asset) => expected.get(asset.id) === asset.description).length;
    const seconds = tally.elapsedMs / 1000;
    const figure: ChangeFigures = {
      changedPercent: percent,
      mode,
      records: options.records,
      changedRecords: changedCount,
      requests: timed.length,
      reads: timed.filter((entry) => entry.route === READ).length,
      writes: timed.filter((entry) => entry.route === MODIFY).length,
      requestsPerRecord: timed.length / options.records,
      recordsPerSecond: options.records / seconds,
      budgetRatio: timed.length / (options.throughput.requestsPerSecond * seconds),
      rateLimited: timed.filter((entry) => entry.status === 429).length,
      elapsedMs: tally.elapsedMs,
      inPlace,
    };
    options.progress(
      `changed ${percent} %, ${mode}: ${figure.requests} requests (${figure.reads} reads, ${figure.writes} writes) in ${seconds.toFixed(1)} s`,
    );
    return figure;
  } finally {
    await emulator.stop();
  }
}

/** The side-by-side table: one row per share changed, change detection on and off. */
export function renderChangeTable(figures: readonly ChangeFigures[]): string {
  const header = [
    'changed',
    'mode',
    'requests',
    'reads',
    'writes',
    'req/record',
    'records/s',
    'of budget',
    '429s',
    'in place',
    'target',
  ];
  const rows = figures.map((f) => {
    const target = CHANGE_TARGETS.get(f.changedPercent);
    const verdict =
      !isReadFirst(f.mode) || target === undefined
        ? ''
        : `≤ ${target.toFixed(2)}: ${meetsChangeTarget(f) ? 'meets' : 'MISSES'}`;
    return [
      `${f.changedPercent} %`,
      f.mode,
      String(f.requests),
      String(f.reads),
      String(f.writes),
      f.requestsPerRecord.toFixed(3),
      f.recordsPerSecond.toFixed(1),
      `${(f.budgetRatio * 100).toFixed(1)} %`,
      String(f.rateLimited),
      `${f.inPlace}/${f.records}`,
      verdict,
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all
    .map((r) =>
      r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

/** A read_first row meets its target when its requests per record stay under it and every record is in place. */
export function meetsChangeTarget(f: ChangeFigures): boolean {
  const target = CHANGE_TARGETS.get(f.changedPercent);
  return (
    f.inPlace === f.records &&
    f.rateLimited === 0 &&
    (target === undefined || !isReadFirst(f.mode) || f.requestsPerRecord <= target)
  );
}
