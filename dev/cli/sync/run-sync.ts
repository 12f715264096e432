import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

import { type DestinationBatch, storage } from '@zaiusinc/app-sdk';

import { BynderAssetSync } from '../../../src/destinations/BynderAssetSync';
import type { AppConfig } from '../../../src/lib/config';
import { parseFixedValues } from '../../../src/lib/fields/fixed-values';
import {
  clearRejectionLog,
  MAX_REJECTION_LOG_ENTRIES,
  readRateLimitBlock,
  readOutbox,
  readRejectionLog,
  type AssetItem,
  type RejectionLogEntry,
} from '../../../src/lib/delivery';
import { readHeldDeletes } from '../../../src/lib/state/held-deletes';
import { type KeyValueStore, systemClock } from '../../../src/lib/runtime-ports';
import { UsageError } from '../exit-codes';
import { locateRejections } from './batches/batch-rejections';
import { deliverWithRetries } from './batches/deliver-with-retries';
import { inBatches } from './batches/in-batches';
import { loadDestinationFields } from './mapping/destination-fields';
import { FieldMapping } from './mapping/field-mapping';
import { loadMappingFile } from './mapping/mapping-file';
import { toAssetItem } from './mapping/record-to-item';
import { saveSettings } from './settings/save-settings';
import type { SectionValues } from './settings/settings-input';
import { findMappingProblem } from './mapping/source-mapping-checks';
import {
  describeNoRecords,
  describeOpenedSource,
  detectSourceFormat,
  openSource,
} from './sources/open-source';
import type { SourceEntry } from './sources/source-entry';
import { SourceError } from './sources/source-entry';
import { RepeatedKeys } from './batches/repeated-keys';
import { captureBatchLines, NO_LINE_COUNTS } from './summary/batch-line-capture';
import { captureNotifications } from './summary/notification-capture';
import { ProgressMeter } from './summary/progress-meter';
import type { ProgressReporter } from './summary/progress-reporter';
import type { RequestCount, RunSummary } from './summary/run-summary';
import { buildRunSummary } from './summary/run-summary';
import { continueCreations } from '../../../src/lib/delivery/creation-job';
import { type BatchPreview, previewBatch } from '../../../src/lib/delivery/preview';
import { reasonOf } from '../../../src/lib/delivery/outcome';
import { isAppError } from '../../../src/lib/app-error';
import { sdkDeps } from '../../../src/destinations/sdk-deps';
import type { Rejection } from './summary/run-tally';
import { RunTally } from './summary/run-tally';
import { isAcceptedWrite, watchHttpExchanges } from './targets/http-request-counter';
import type { SyncTarget } from './targets/sync-target';
import { startLocalOcp } from './workers/local-ocp';

export const DEFAULT_BATCH_SIZE = 100;
/** The app keeps this many rejections in its log; a bigger batch could lose some between reads. */
const MAX_BATCH_SIZE = MAX_REJECTION_LOG_ENTRIES;

export interface SyncRunOptions {
  source: string;
  format?: string;
  mappingFile?: string;
  batchSize: number;
  retryPauseMs: number;
  maxBlockWaitMs: number;
  settings: SectionValues;
  target: SyncTarget;
  rejectionsFile: string;
  appLog?: string;
  /** Deliver from this many worker processes at once (see workers/local-ocp.ts); unset: in this process. */
  workers?: number;
  /** Workers keep the budget's row to themselves: pacing per process, for the bench's comparison. */
  perProcessPacing?: boolean;
  /**
   * Cancels the run (Ctrl-C, the page's Cancel): no batch starts after it fires, the deliveries in
   * progress end normally and are counted, the rest of the source is counted as pending (not sent).
   * A string reason says how the summary names it, e.g. "interrupted (Ctrl-C)".
   */
  signal?: AbortSignal;
  /** CSV only: the cell delimiter (`--delimiter`); unset, it is detected from the header row. */
  delimiter?: string;
  /** A mapped column the source lacks is reported and the run goes on (`--allow-missing-columns`). */
  allowMissingColumns?: boolean;
  /**
   * Preview every batch instead of delivering it (`--dry-run`): the delivery's planning, reads and
   * change detection, no write; the summary counts what the sync would do.
   */
  dryRun?: boolean;
}

export interface RunIo {
  /** A line for the user on stderr (never stdout). */
  note(line: string): void;
  startProgress(): ProgressReporter;
  /** Called once the run is over, while the install's stores still hold what it left (workers' too). */
  keepStores?(kvStore: KeyValueStore): Promise<void>;
}

/** The run could not start or had to stop before any batch: settings, mapping, or ready() said no. */
export class SyncNotStartedError extends Error {
  public override name = 'SyncNotStartedError';
}

interface QueuedRecord {
  item: Record<string, unknown> & { _isDeleted?: boolean };
  line: number;
  key: string;
}

/**
 * One sync, the way the Sync Manager runs it: save settings through the form, read the field list
 * from the schema function, map and batch the source, ready() once, deliver() each batch (retrying
 * what it answers retryable), and account for every record.
 */
export async function runSync(options: SyncRunOptions, io: RunIo): Promise<RunSummary> {
  const startedAt = performance.now();
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(
      `--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${options.batchSize}`,
    );
  }
  const format = detectSourceFormat(options.source, options.format);
  const mappingFile = options.mappingFile ? await loadMappingFile(options.mappingFile) : undefined;
  const source = await openSource(options.source, format, { delimiter: options.delimiter });
  io.note(describeOpenedSource(source));
  const entries = readUntilBroken(source.entries);
  const peeked = await peek(entries, options.batchSize);
  if (peeked.length === 0) throw new SyncNotStartedError(describeNoRecords(source));
  const counter = options.target.countRequests();
  let requests: RequestCount | undefined;
  let stopWatchingHttp: (() => void) | undefined;
  const rejectionsOut = createWriteStream(options.rejectionsFile);
  const notices = captureNotifications();
  const batchLines = captureBatchLines();
  // A dry run previews in this process (it sends no deliver()): no workers to start.
  const ocp =
    options.workers === undefined || options.dryRun
      ? undefined
      : startLocalOcp(options.workers, {
          perProcessPacing: options.perProcessPacing,
          onNotices: (sent) => notices.add(sent),
          forwardHttp: true,
          onHttp: (exchange) => counter.record(exchange),
        });
  try {
    const { config, notes } = await saveSettings(options.settings, {
      ...options.target.credentials,
      portal: options.target.portalUrl,
    });
    for (const note of notes) io.note(`settings: ${note}`);
    io.note(describeConfig(config));

    const mapping = FieldMapping.create(await loadDestinationFields(), mappingFile);
    mapping.observe(peeked.flatMap((e) => (e.kind === 'record' ? Object.keys(e.record) : [])));
    reportMapping(mapping, options.mappingFile, io);
    reportFixedValues(config, io);
    const misfit = findMappingProblem(mapping, {
      file: options.source,
      format,
      mappingFile: options.mappingFile,
      recordsSeen: peeked.length,
      allowMissingColumns: options.allowMissingColumns,
    });
    if (misfit) throw new SyncNotStartedError(misfit);
    const primary = mapping.primaryField;
    if (peeked.some((e) => e.kind === 'record') && !mapping.mapped.some((m) => m.field === primary.name)) {
      throw new SyncNotStartedError(
        `no source column feeds the primary key field "${primary.name}" (${primary.display_name}); ` +
          (mappingFile
            ? `map a column to ${primary.name} in ${options.mappingFile}`
            : `name a column "${primary.name}" or pass --mapping`),
      );
    }

    const inProcess = new BynderAssetSync();
    const readiness = await inProcess.ready();
    if (!readiness.ready) {
      throw new SyncNotStartedError(
        `the app is not ready to deliver: ${readiness.message ?? '(no message)'}`,
      );
    }

    const tally = new RunTally();
    const syncName = `local sync of ${options.source}`.slice(0, 200);
    const sync = { id: `local-${Date.now().toString(36)}`, name: syncName };
    const progress = io.startProgress();
    const meter = new ProgressMeter(source.size);
    const showProgress = () => progress.update(meter.snapshot(tally));
    // In this process one batch is in flight at a time: the writes heard here are that batch's.
    let batchInProcess: number | undefined;
    stopWatchingHttp = watchHttpExchanges((exchange) => {
      if (batchInProcess === undefined || !isAcceptedWrite(exchange)) return;
      meter.wrote(batchInProcess);
      showProgress();
    });
    const reject = (rejection: Rejection) => {
      tally.reject(rejection);
      rejectionsOut.write(`${JSON.stringify(rejection)}\n`);
    };
    let stoppedBecause: string | undefined;
    const repeatedKeys = new RepeatedKeys();

    /** Source entries to queued records; unreadable lines and bad delete flags are rejected here. */
    async function* toQueuedRecords(): AsyncGenerator<QueuedRecord> {
      for await (const entry of concat(peeked, entries)) {
        tally.records += 1;
        meter.read(entry.bytesRead);
        if (entry.kind === 'bad-line') {
          reject({ key: '', field: '', reason: `unreadable line: ${entry.problem}`, line: entry.line });
          continue;
        }
        const conversion = toAssetItem(entry.record, mapping);
        if (conversion.ok) {
          repeatedKeys.observe(conversion.key, conversion.item);
          yield { item: conversion.item, line: entry.line, key: conversion.key };
        } else {
          reject({
            key: conversion.key,
            field: conversion.field,
            reason: conversion.reason,
            line: entry.line,
          });
        }
      }
    }

    const deliverBatch = async (batch: QueuedRecord[], number: number) => {
      tally.batches += 1;
      meter.startBatch(number, batch.length);
      if (stoppedBecause) {
        tally.leavePending(batch.length, `not delivered: the run stopped (${stoppedBecause})`);
        meter.endBatch(number);
        progress.batchDone(number, `batch ${number}: ${batch.length} records not delivered (run stopped)`);
        return;
      }
      const items = batch.map((r) => r.item);
      if (options.dryRun) {
        await previewInstead(batch, { tally, reject, deletePolicy: config.deletePolicy });
        meter.endBatch(number);
        progress.batchDone(number, `batch ${number} previewed: ${batch.length} records (nothing written)`);
        return;
      }
      // With workers, each attempt's worker says which rejection-log entries it wrote (the log is
      // shared by the batches in flight); in this process the log is emptied before each attempt.
      let reported: RejectionLogEntry[] = [];
      const inWorkers = { ...NO_LINE_COUNTS };
      const destination = ocp
        ? {
            deliver: async (attempt: DestinationBatch<AssetItem>) => {
              const answer = await ocp.pool.deliverReporting(attempt, (exchange) => {
                if (!isAcceptedWrite(exchange)) return;
                meter.wrote(number);
                showProgress();
              });
              reported = answer.rejections;
              inWorkers.unchanged += answer.counts.unchanged;
              inWorkers.created += answer.counts.created;
              inWorkers.versioned += answer.counts.versioned;
              inWorkers.queued += answer.counts.queued;
              inWorkers.held += answer.counts.held;
              return answer.result;
            },
          }
        : inProcess;
      if (!ocp) batchInProcess = number;
      const delivery = await deliverWithRetries(destination, items, sync, {
        signal: options.signal,
        retryPauseMs: options.retryPauseMs,
        maxBlockWaitMs: options.maxBlockWaitMs,
        clock: systemClock,
        beforeAttempt: ocp ? undefined : () => clearRejectionLog(storage.kvStore),
        readBlockedUntil: async () => (await readRateLimitBlock(storage.kvStore, systemClock))?.blockedUntil,
        onRetry: ({ attempt, pauseMs, failureReason, blockedUntil }) => {
          tally.retries += 1;
          const block = blockedUntil
            ? ` (rate-limit block until ${new Date(blockedUntil).toISOString()})`
            : '';
          progress.note(
            `batch ${number}: attempt ${attempt} in ${Math.round(pauseMs)} ms${block}: ${failureReason}`,
          );
        },
      });
      batchInProcess = undefined;
      const lineCounts = ocp ? inWorkers : batchLines.take(syncName);
      const { unchanged } = lineCounts;
      const logged = (ocp ? reported : await readRejectionLog(storage.kvStore)).filter(
        (e) => e.sync === syncName,
      );
      const located = locateRejections(logged, items, primary.name);
      const rejectedAt = new Map<number, { field: string; reason: string }>();
      for (const r of located) for (const p of r.positions) rejectedAt.set(p, r);
      const untied = located.filter((r) => r.positions.length === 0).length;
      if (untied > 0) {
        progress.note(
          `batch ${number}: ${untied} rejection(s) in the app's log could not be tied to a source line`,
        );
      }

      // Which records of a failed batch were applied is not reported per record: only rejections are.
      // So when anything is left pending, every record not rejected counts as pending (conservative).
      const result = delivery.retryCancelled
        ? {
            ...delivery.result,
            failureReason: `${delivery.result.failureReason ?? 'deliver() failed'} (not retried: the run was ${cancelReason(options.signal)})`,
          }
        : delivery.result;
      // Held deletes are not pending: the batch answers not retryable, with no rejection for them.
      const leftPending =
        !result.success &&
        (result.retryable === true ||
          (rejectedAt.size === 0 && lineCounts.held === 0) ||
          /records pending/.test(result.failureReason ?? ''));
      // Which deletes were held is not reported per record: the batch line's count goes to its
      // deletes in source order (the app holds the later ones of a batch).
      const heldAt = new Set<number>();
      let heldLeft = leftPending ? 0 : lineCounts.held;
      for (let position = batch.length - 1; position >= 0 && heldLeft > 0; position -= 1) {
        if (batch[position]?.item._isDeleted !== true || rejectedAt.has(position)) continue;
        heldAt.add(position);
        heldLeft -= 1;
      }
      let carriedOut = 0;
      const own = { applied: 0, deletes: 0, rejected: 0, pending: 0, held: 0 };
      batch.forEach((record, position) => {
        const rejection = rejectedAt.get(position);
        if (rejection) {
          reject({ key: record.key, field: rejection.field, reason: rejection.reason, line: record.line });
          own.rejected += 1;
        } else if (leftPending) {
          tally.leavePending(1, result.failureReason ?? 'deliver() failed without a reason');
          own.pending += 1;
        } else if (heldAt.has(position)) {
          tally.held += 1;
          own.held += 1;
        } else if (record.item._isDeleted === true) {
          tally.count(config.deletePolicy === 'ignore' ? 'ignoredDelete' : 'deleted');
          carriedOut += 1;
          own.deletes += 1;
        } else {
          tally.count('applied');
          carriedOut += 1;
          own.applied += 1;
        }
      });
      meter.endBatch(number);
      const retried = delivery.attempts > 1 ? `, ${delivery.attempts} attempts` : '';
      progress.batchDone(
        number,
        `batch ${number} done: ${batch.length} records: ${own.applied} applied, ${own.deletes} deletes, ` +
          `${own.rejected} rejected, ${own.pending} pending${own.held > 0 ? `, ${own.held} held` : ''}${retried}`,
      );
      // Of those, the records Bynder already held (the batch lines of every attempt say how many).
      if (!leftPending) {
        tally.unchanged += Math.min(unchanged, carriedOut);
        tally.created += Math.min(lineCounts.created, carriedOut);
        tally.versioned += Math.min(lineCounts.versioned, carriedOut);
        // Queued for creation is not applied: the creation job finishes those records.
        const queued = Math.min(lineCounts.queued, own.applied);
        tally.applied -= queued;
        tally.queued += queued;
      }
      if (leftPending && result.retryable !== true) {
        // Not retryable yet nothing rejected per record: settings or credentials; later batches would fail alike.
        stoppedBecause = `batch ${tally.batches} failed and is not retryable: ${result.failureReason ?? '(no reason)'}`;
        progress.note(`stopping: ${stoppedBecause}`);
      }
    };

    // As many batches in flight as there are workers; each attempt goes to whichever is free. Once
    // the run is cancelled no batch starts: the rest of the source is still read, so that every
    // record is counted (unreadable ones rejected as usual, the others pending, not sent).
    const inFlight = new Set<Promise<void>>();
    let batchNumber = 0;
    for await (const batch of inBatches(toQueuedRecords(), options.batchSize)) {
      if (options.signal?.aborted) {
        tally.leavePending(batch.length, `not sent: the run was ${cancelReason(options.signal)}`);
        continue;
      }
      batchNumber += 1;
      const delivery: Promise<void> = deliverBatch(batch, batchNumber).then(() => {
        inFlight.delete(delivery);
        showProgress();
      });
      inFlight.add(delivery);
      if (inFlight.size >= (ocp?.pool.size ?? 1)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // OCP runs the creation job on its schedule and when triggered; the runner runs it once the
    // batches are done, so what was queued for creation is created (or reported failed) in this run.
    if (tally.queued > 0) await runCreationJob(progress);
    meter.sourceDone();
    showProgress();
    progress.stop();

    requests = counter.stop();
    await io.keepStores?.(storage.kvStore);
    return buildRunSummary(tally, {
      elapsedMs: performance.now() - startedAt,
      requests,
      deletePolicy: config.deletePolicy,
      fixedValues: config.fixedValuesText,
      rejectionsFile: tally.rejected > 0 ? options.rejectionsFile : undefined,
      unmatchedColumns: mapping.unmatched.map((u) => u.column),
      notifications: notices.sent,
      source: options.source,
      target: options.target.describe,
      appLog: options.appLog,
      ...(await outboxCounts()),
      repeatedKeys: repeatedKeys.summary,
      workers: ocp?.pool.size ?? 1,
      kvOperations: ocp ? ocp.server.operations.kvStore : undefined,
      peakRssKbPerWorker: ocp?.pool.peakRssKb(),
      cancelled: options.signal?.aborted ? cancelReason(options.signal) : undefined,
      dryRun: options.dryRun === true,
    });
  } finally {
    stopWatchingHttp?.();
    await ocp?.close();
    notices.restore();
    batchLines.restore();
    if (!requests) counter.stop();
    await closeStream(rejectionsOut);
  }
}

/**
 * A dry run's batch: previewed as deliver() would carry it out (delivery/preview.ts, reads only), and
 * each record counted where the sync would have counted it.
 */
async function previewInstead(
  batch: readonly QueuedRecord[],
  run: { tally: RunTally; reject: (rejection: Rejection) => void; deletePolicy: AppConfig['deletePolicy'] },
): Promise<void> {
  const { tally } = run;
  let preview: BatchPreview;
  try {
    preview = await previewBatch(
      batch.map((record) => record.item),
      sdkDeps(),
    );
  } catch (error) {
    if (!isAppError(error)) throw error;
    tally.leavePending(batch.length, `not previewed: ${error.message}`);
    return;
  }
  for (const record of preview.records) {
    const source = batch[record.index];
    if (!source) continue;
    switch (record.status) {
      case 'rejected':
        run.reject({
          key: source.key,
          field: record.problems[0]?.field ?? '',
          reason: reasonOf(record),
          line: source.line,
        });
        break;
      case 'changes':
      case 'create':
        tally.count('applied');
        if (record.status === 'create') tally.created += 1;
        if (record.newVersion) tally.versioned += 1;
        break;
      case 'unchanged':
        tally.count(record.kind === 'delete' ? 'deleted' : 'applied');
        tally.unchanged += 1;
        break;
      case 'delete':
        tally.count('deleted');
        break;
      case 'nothing':
        if (run.deletePolicy === 'ignore') tally.count('ignoredDelete');
        else {
          tally.count('deleted'); // already gone
          tally.unchanged += 1;
        }
        break;
      case 'unknown':
        tally.leavePending(1, `not previewed: ${record.target?.note ?? 'Bynder could not be read'}`);
        break;
    }
  }
}

/** How the summary names a cancellation: the signal's reason when it is text. */
function cancelReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'cancelled';
}

function describeConfig(config: AppConfig): string {
  const auth = config.credentials.kind === 'permanent_token' ? 'permanent token' : 'OAuth client credentials';
  const key =
    config.primaryKey.kind === 'asset_id' ? 'asset id' : `external key "${config.primaryKey.metaproperty}"`;
  return (
    `settings saved through the app's settings form: portal ${config.portalUrl} (${auth}); match by ${key}; ` +
    `deletes: ${config.deletePolicy}; empty values: ${config.emptyValues}; unknown options: ${config.unknownOptions}; ` +
    `${config.requestsPerSecond} requests/s, ${config.maxInFlight} in flight; ` +
    (config.changeDetection === 'read_first'
      ? 'assets read first, only what differs written'
      : 'every record written without reading')
  );
}

function reportMapping(mapping: FieldMapping, mappingFile: string | undefined, io: RunIo): void {
  const mapped = mapping.mapped;
  io.note(`mapping (${mappingFile ? `from ${mappingFile}` : 'columns matched to fields by name'}):`);
  const width = Math.min(30, Math.max(0, ...mapped.map((m) => m.column.length)));
  for (const m of mapped) {
    io.note(
      `  ${m.column.padEnd(width)} -> ${m.field}${m.via === 'display name' ? ' (by display name)' : ''}`,
    );
  }
  for (const u of mapping.unmatched) io.note(`  ${u.column.padEnd(width)}    not sent: ${u.reason}`);
  const missing = mapping.missingColumns;
  if (missing.length > 0) {
    io.note(`  the mapping file names columns the source does not have (yet): ${missing.join(', ')}`);
  }
}

/** The settings' fixed values, beside the mapping: what every record without its own value gets. */
function reportFixedValues(config: AppConfig, io: RunIo): void {
  const fixed = parseFixedValues(config.fixedValuesText);
  if (!fixed.ok || fixed.values.length === 0) return;
  io.note('fixed values (settings, for records without their own value):');
  const width = Math.min(30, Math.max(0, ...fixed.values.map((v) => v.field.length)));
  for (const v of fixed.values) io.note(`  ${v.field.padEnd(width)} = ${v.value}`);
}

async function peek(entries: AsyncGenerator<SourceEntry>, count: number): Promise<SourceEntry[]> {
  const taken: SourceEntry[] = [];
  while (taken.length < count) {
    const next = await entries.next();
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

/**
 * A source that breaks mid-file (an unclosed quote) ends with one bad-line entry for the break, so
 * what was read before it is still delivered. A broken header stops the run before it starts.
 */
async function* readUntilBroken(entries: AsyncGenerator<SourceEntry>): AsyncGenerator<SourceEntry> {
  try {
    yield* entries;
  } catch (error) {
    if (!(error instanceof SourceError) || error.line === undefined || error.line <= 1) throw error;
    yield { kind: 'bad-line', line: error.line, problem: error.message, bytesRead: Number.MAX_SAFE_INTEGER };
  }
}

async function* concat<T>(first: readonly T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* rest;
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/**
 * What the app's outbox holds at the end of a run (parked records, and records kept because of
 * Bynder's state), how many records it dropped past its bounds, and the deletes held in all.
 */
async function outboxCounts(): Promise<{
  parked: number;
  outboxDropped: number;
  kept: number;
  keptDropped: number;
  heldTotal: number;
}> {
  const outbox = await readOutbox(storage.kvStore);
  const held = await readHeldDeletes(storage.kvStore);
  return {
    parked: outbox.records.length,
    outboxDropped: outbox.droppedTotal,
    kept: outbox.kept.length,
    keptDropped: outbox.keptDroppedTotal,
    heldTotal: held.length,
  };
}

/** Runs the creation job until nothing is queued or a run makes no progress (at most 20 runs). */
async function runCreationJob(progress: ProgressReporter): Promise<void> {
  for (let run = 0; run < 20; run += 1) {
    const done = await continueCreations(sdkDeps());
    progress.note(
      `creation job: ${done.created.length} created, ${done.versioned.length} versioned, ${done.failed.length} failed; ${done.remaining} still queued`,
    );
    const ended = done.created.length + done.versioned.length + done.failed.length;
    if (done.remaining === 0 || ended === 0) return;
  }
}
