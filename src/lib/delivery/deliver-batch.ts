import { IDS_PER_MEDIA_READ } from '../bynder/constants';
import { type AppConfig, loadConfig, SECTION } from '../config';
import { contentHash } from '../state/content-hash';
import { getFieldModel } from '../fields/get-field-model';
import { notifyBatch } from './batch-notices';
import { redactSecrets } from '../redact';
import { secretsOf, secretsOfFields } from '../secret-values';
import type { Runtime } from '../runtime-ports';
import { resolverFor } from './asset-resolver';
import { withBatchLease } from '../state/batch-lease';
import { detectChanges } from './change-detection';
import { startCheckpoint } from '../state/checkpoint';
import { type DeliveryDeadline, DELIVERY_TIME_BUDGET_MS, startDeadline } from '../pacing/deadline';
import { remainderAfter } from './supersede';
import type { Ledger } from '../state/ledger';
import { saveBatchState } from './save-batch-state';
import { executePlan } from './execute';
import { creatorFor, withFoundCreations } from './creation';
import { CREATION_JOB } from './creation-job';
import { fingerprintField, versionerFor } from './versioning';
import { supersedeHeld } from '../state/held-deletes';
import { noteSyncStatus } from '../state/sync-status';
import { holdMassDeletes } from './mass-delete';
import {
  appliedEventsByKey,
  fenceParked,
  heldCount,
  holdUntil,
  type KeptMarks,
  type OutboxHead,
  type OutboxSettleDeps,
  parkedCount,
  readOutboxHead,
  replayOutbox,
  retryKept,
  settleOutbox,
} from '../state/outbox';
import {
  type BatchEnd,
  type BatchReport,
  countOutcomes,
  createTrafficCounter,
  type DeliverResult,
  failureFromError,
  type RecordOutcome,
  pausedByRateLimit,
  reasonOf,
  reportBatch,
} from './outcome';
import { createPacedClient } from '../pacing/paced-client';
import { type PlannedWrite, planDelivery, writeFingerprint } from './plan';
import { readRateLimitBlock } from '../pacing/rate-limit-block';

/** What OCP hands deliver(): the SDK's DestinationBatch, restated so src/lib stays SDK-free. */
export interface DeliveryBatch {
  items: readonly unknown[];
  attempt: number;
  sync: { id: string; name: string };
  /** Only on the outbox's own batch: the outbox id of each position. */
  outboxIds?: readonly string[];
  /** Only on the outbox's own batch: the outbox row of each position. */
  outboxSlots?: readonly number[];
  /** Only on the outbox's own batch: the claim its records carry. */
  claimBy?: string;
}

/** Why a write waits: a replay from another invocation is sending an older parked event of its key. */
export const PARKED_REPLAY_CAUSE = 'waiting: an older parked record of this key is being delivered';

/**
 * What deliver() gets: the invocation's runtime and, when the invocation started it already, its
 * deadline: the outbox's replay runs inside the budget of the deliver() that asked for it, never
 * with a budget of its own.
 */
export type DeliveryDeps = Runtime & { deadline?: DeliveryDeadline };

/**
 * One batch, start to end, in the order docs/delivery.md describes; each step is one call into the
 * file that owns it. Failures of the records are outcomes, not exceptions; what throws here (config,
 * an unreadable field model) is caught by failedDelivery.
 */
export async function deliverBatch(batch: DeliveryBatch, deps: DeliveryDeps): Promise<DeliverResult> {
  // One time budget per invocation, started here: everything below (the outbox's replay included)
  // spends it, so one deliver() never runs past it.
  const timed = { ...deps, deadline: deps.deadline ?? startDeadline(deps.clock, deps.timeBudgetMs) };
  // Two invocations of one batch must not both send it: one takes the lease, the other answers retry.
  // Taking the lease reads the batch's ledger (one row holds both).
  return withBatchLease(batch, timed, (ledger) => deliverLeased(batch, timed, ledger));
}

async function deliverLeased(
  batch: DeliveryBatch,
  deps: DeliveryDeps & { deadline: DeliveryDeadline },
  ledger: Ledger,
): Promise<DeliverResult> {
  const { kvStore, clock, deadline } = deps;
  const report = { syncName: batch.sync.name, attempt: batch.attempt, startedAt: clock.now() };
  if (batch.items.length === 0) return { success: true };
  // Records parked earlier go first, as a batch of their own (sent only when no block is stored),
  // in this invocation's budget: what they leave of it is this batch's.
  const parked = batch.outboxIds ? undefined : await readOutboxHead(kvStore);
  const timeBudgetMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  await replayOutbox(batch, { ...deps, timeBudgetMs }, (replay) => deliverBatch(replay, deps), parked);
  // 0 guard and 1 config: a stored rate-limit block means nothing is sent at all.
  const [config, block] = await Promise.all([loadConfig(deps), readRateLimitBlock(kvStore, clock)]);
  const traffic = createTrafficCounter();
  const ending: Ending = {
    report: { ...report, traffic },
    secrets: secretsOf(config.credentials),
    outbox: { head: parked },
  };
  const paced = { ...deps, onResponse: traffic.record, deadline, alreadyRead: { block } };
  const { api, budget, rateLimit } = createPacedClient(config, paced);
  // 2 field model, and what earlier attempts of this batch applied. During a block the client
  // refuses every request unsent, so the batch is still planned (from the cached model) and every
  // write ends pending under its own key, beside what earlier attempts applied.
  const modelDeps = { ...deps, config, api };
  const model = await getFieldModel(modelDeps).catch((error: unknown) => {
    if (block) return block; // no cached model to plan by: the batch stays pending as one
    throw error;
  });
  if ('blockedUntil' in model) {
    return endBatch(batch, deps, ending, pausedByRateLimit(batch.items.length, model));
  }
  // Records kept because of Bynder's state go again when it may have changed: the field model or
  // the settings differ from what they were last tried under (no store call when nothing changed:
  // the outbox head and the model's stamp were read anyway). Nothing is sent during a block.
  if (parked && !block) {
    const marks = keptMarks(model.hash, config);
    await retryKept(parked, { marks }, { ...deps, timeBudgetMs }, (retry) => deliverBatch(retry, deps));
  }
  // 3 plan (re-planned once with a refreshed model on schema drift)
  const planned = await planDelivery(batch.items, model, ledger.applied, modelDeps);
  ending.outbox.marks = keptMarks(planned.model.hash, config);
  // Deletes and archives past the sync's hourly threshold are held, not sent (no call without any)
  const massDeletes = await holdMassDeletes(planned.writes, batch, config.maxDeletesPerHour, deps);
  planned.writes = massDeletes.writes;
  const merge = { ...config, keyField: planned.model.primary.name };
  ending.outbox.supersede = (parkedItem, later) => remainderAfter(parkedItem, later, merge);
  // Before Bynder is read or written: no replay may send an older parked event of these keys meanwhile
  const plan = await fenceOutbox(planned, parked, ending.outbox, { ...deps, started: report.startedAt });
  const fingerprint = fingerprintField(plan.model, config.fileFingerprintMetaproperty, deps.logger);
  // What does not fit this invocation's time budget (creations, new versions) goes to the job.
  const creationQueue = {
    trigger: async () => {
      await deps.jobs?.trigger(CREATION_JOB, {});
    },
  };
  const creator = creatorFor(config, plan.model.primary, {
    ...deps,
    api,
    deadline,
    sync: batch.sync.id,
    timeBudgetMs: deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS,
    queue: creationQueue,
    ...(fingerprint ? { fingerprintFormKey: fingerprint.formKey } : {}),
  });
  const { resolver, mark: markFoundCreations } = withFoundCreations(
    await resolverFor(
      plan.model,
      { api, kvStore },
      plan.writes.map((write) => write.key),
    ),
    creator?.settleFound,
  );
  // 4 read what Bynder holds and drop what it holds already (the ledger counts those applied). The
  // first lease of the install budget covers the reads and the writes planned, so a batch whose
  // writes all go out leases once; what the read finds unchanged is handed back at the end.
  const reads =
    config.changeDetection === 'read_first' ? Math.ceil(plan.writes.length / IDS_PER_MEDIA_READ) : 0;
  budget.expect(reads + plan.writes.length);
  const changes = await detectChanges(plan.writes, {
    ...deps,
    api,
    resolver,
    model: plan.model,
    config,
    ...(fingerprint ? { fingerprintMetaproperty: fingerprint.metaproperty } : {}),
  });
  const checkpoint = startCheckpoint(ledger, deps);
  const applied = (write: PlannedWrite) => checkpoint.applied(writeFingerprint(write));
  changes.unchanged.forEach(applied);
  // 5 execute, checkpointing what Bynder accepted; the install budget's leases are sized to the
  // writes left, so none go unused
  budget.expect(changes.writes.length);
  const execution = await executePlan(changes.writes, {
    ...deps,
    api,
    resolver,
    budget,
    maxInFlight: config.maxInFlight,
    connection: config,
    onApplied: applied,
    beforeSend: changes.noteBeforeSend,
    blockInForce: rateLimit.current,
    ...(creator ? { create: creator.create } : {}),
    version: versionerFor(config, fingerprint, {
      ...deps,
      api,
      deadline,
      sync: batch.sync.id,
      timeBudgetMs: deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS,
      assetRead: (id) => resolver.assetRead(id),
      queue: creationQueue,
    }),
  });
  // Slots leased and not used go back to the other invocations (when a throw skips this, at most
  // one lease, LEASE_MS of the budget, goes unused).
  await budget.release();
  // 6 outcome: what must outlive this invocation, then 7 the report and OCP's result
  const outcomes = markFoundCreations([
    ...plan.rejected,
    ...plan.pending,
    ...plan.done,
    ...plan.waiting,
    ...massDeletes.held,
    ...massDeletes.rejected,
    ...changes.outcomes,
    ...changes.waiting,
    ...execution.outcomes,
  ]);
  const { keyCache } = resolver;
  const state = {
    checkpoint,
    stop: execution.stop,
    keyCache,
    syncName: batch.sync.name,
    attempt: batch.attempt,
  };
  await saveBatchState(outcomes, state, deps);
  return endBatch(batch, deps, ending, {
    ...execution,
    outcomes,
    droppedFields: plan.unknownFields,
    createdOptions: plan.createdOptions,
    notHeld: massDeletes.rejected.reduce((sum, o) => sum + o.records.length, 0),
    heldInAll: massDeletes.heldInAll,
  });
}

/** What the batch's end needs: the report so far, the secrets to redact, and what the outbox needs. */
interface Ending {
  report: BatchReport;
  secrets: readonly string[];
  outbox: Pick<OutboxSettleDeps, 'head' | 'supersede' | 'fence' | 'marks'>;
}

/**
 * What kept records are tried under: the field model's content hash, and a hash of the settings that
 * decide what a record writes and where (credentials included: another user may see other assets).
 * A hash, never a secret; it changes when the settings are saved with other values.
 */
export function keptMarks(modelHash: string | undefined, config: AppConfig): KeptMarks {
  const { portalUrl, credentials, primaryKey, deletePolicy, emptyValues, unknownOptions } = config;
  const settings = contentHash([
    JSON.stringify([portalUrl, credentials, primaryKey, deletePolicy, emptyValues, unknownOptions]),
    JSON.stringify([config.fixedValuesText, config.missingAssets, config.fileFingerprintMetaproperty ?? '']),
  ]);
  return { model: modelHash ?? '', settings };
}

/**
 * Fences the parked records of the keys this batch writes (outbox.ts, "Ordering replays and newer
 * writes"); the writes of a key a replay is sending now wait (pending). Nothing for the outbox's own
 * batch, nor when nothing was parked when the batch started.
 */
async function fenceOutbox<P extends { writes: PlannedWrite[] }>(
  plan: P,
  head: OutboxHead | undefined,
  outbox: Ending['outbox'],
  deps: DeliveryDeps & { started: number },
): Promise<P & { waiting: RecordOutcome[] }> {
  if (!head || parkedCount(head) === 0 || plan.writes.length === 0) return { ...plan, waiting: [] };
  const taken = await fenceParked(
    plan.writes.map((write) => write.key),
    head,
    {
      ...deps,
      by: deps.random.id(),
      until: holdUntil(deps.clock, deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS),
    },
  );
  outbox.fence = taken.fence;
  const waits = (write: PlannedWrite) => taken.claimed.has(write.key);
  return {
    ...plan,
    writes: plan.writes.filter((write) => !waits(write)),
    waiting: plan.writes.filter(waits).map((write) => ({
      key: write.key,
      subject: write.subject,
      records: write.records,
      status: 'pending' as const,
      cause: PARKED_REPLAY_CAUSE,
    })),
  };
}

/**
 * 6b and 7: what OCP will not deliver again is parked in the outbox; the Activity Log hears what an
 * administrator must act on; then the batch's log line and OCP's result.
 */
async function endBatch(
  batch: DeliveryBatch,
  deps: DeliveryDeps,
  ending: Ending,
  end: BatchEnd,
): Promise<DeliverResult> {
  const outbox = await settleOutbox(batch, end, ending.report.startedAt, {
    ...deps,
    ...ending.outbox,
    describeRejection: ({ problems }) => (problems ? reasonOf({ problems }) : 'rejected'),
  });
  const heldSuperseded = await settleHeld(batch, end, ending, deps);
  const settled = { ...end, outbox };
  await notifyBatch(settled, batch.sync, { ...deps, secrets: ending.secrets });
  const counts = countOutcomes(end.outcomes);
  // Only a batch that changed what Sync status shows pays for it (one patch, the text once a minute).
  await noteSyncStatus(
    {
      rejected: counts.rejected,
      held: counts.held,
      notHeld: end.notHeld ?? 0,
      heldSuperseded,
      parked: outbox.parked,
      parkedDelivered: outbox.replayed,
      dropped: outbox.dropped,
      kept: outbox.kept,
      keptDropped: outbox.keptDropped,
    },
    deps,
  );
  return reportBatch(deps, ending.report, settled);
}

/**
 * Held deletes of the keys this batch applied events for are superseded by them, by the outbox's
 * rules. Read only when the head (read at the start) says something is held. Never throws: a held
 * delete left in place is released or discarded by an administrator, who sees it in Sync status.
 */
async function settleHeld(
  batch: DeliveryBatch,
  end: BatchEnd,
  ending: Ending,
  deps: DeliveryDeps,
): Promise<number> {
  const { head, supersede } = ending.outbox;
  if (!head || !supersede || heldCount(head) === 0) return 0;
  try {
    const later = appliedEventsByKey(batch, end.outcomes);
    const done = await supersedeHeld(later, head, ending.report.startedAt, supersede, deps);
    if (done.superseded + done.trimmed > 0) {
      deps.logger.info(
        `Held deletes after sync ${JSON.stringify(batch.sync.name.slice(0, 100))}: ${done.superseded} superseded by newer events, ${done.trimmed} kept with fewer fields`,
      );
    }
    return done.superseded;
  } catch (error) {
    deps.logger.warn('Could not supersede held deletes; they stay held until released or discarded:', error);
    return 0;
  }
}

/**
 * The answer for an error that escaped deliverBatch: one error line (stack kept for support) and
 * `success: false` with `retryable` from the error. Both are redacted with whatever credentials are
 * stored, since the error may wrap anything.
 */
export async function failedDelivery(
  error: unknown,
  batch: DeliveryBatch,
  deps: Runtime,
): Promise<DeliverResult> {
  const secrets = await storedSecrets(deps);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  deps.logger.error(
    `Bynder delivery for sync "${batch.sync.name}" attempt ${batch.attempt} failed before its records were settled: ${redactSecrets(detail, secrets)}`,
  );
  return failureFromError(error, secrets);
}

/** Every stored credential value, for redaction; none when the store cannot be read. */
async function storedSecrets(deps: Pick<Runtime, 'secrets'>): Promise<string[]> {
  try {
    return secretsOfFields(await deps.secrets.get(SECTION.connection));
  } catch {
    return []; // the failure being reported is likely this store's; our own messages hold no secret
  }
}
