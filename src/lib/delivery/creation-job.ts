import { loadConfig } from '../config';
import { getFieldModel } from '../fields/get-field-model';
import { FILE_FORM_KEYS } from '../fields/file-fields';
import { NOTICE_ACTIVITY } from '../notices/notifier';
import { DELIVERY_TIME_BUDGET_MS, startDeadline } from '../pacing/deadline';
import { createPacedClient } from '../pacing/paced-client';
import { redactSecrets } from '../redact';
import type { Runtime } from '../runtime-ports';
import { secretsOf } from '../secret-values';
import {
  type CreationEntry,
  dequeueCreations,
  readCreation,
  readCreationQueue,
} from '../state/creation-ledger';
import { appendRejections } from '../state/rejection-log';
import { type CreationResult, createAsset, creatorDepsFor, MIN_CREATION_WINDOW_MS } from './creation';
import { fingerprintField, versionAsset, versionDepsFor } from './versioning';
import { WriteSlots } from './write-slots';
import type { PlannedWrite } from './plan';

// The creation job (app.yml `jobs.create_assets`, src/jobs/CreateAssets.ts): goes on with the
// creations deliver() handed over (queued for creation), oldest first, through the same steps and the
// same ledger, so it resumes each where it stands and never makes a second asset. Each creation's end
// is reported: created ones in one success notice per run, failed ones in one error notice per run and
// in the rejection log. A creation still under way when the run's time budget ends stays queued for
// the next run (the job's schedule, or the next trigger).

/** The job's name in app.yml. */
export const CREATION_JOB = 'create_assets';

export interface CreationRun {
  /** Creations the run looked at. */
  tried: number;
  created: string[];
  /** Ids of the assets a new version was saved of. */
  versioned: string[];
  /** `subject` names what failed (a key, or an asset whose new version failed). */
  failed: Array<{ key: string; subject: string; reason: string }>;
  /** Still queued after the run. */
  remaining: number;
}

/** How many keys a notice names. */
const NAMED = 10;

export async function continueCreations(deps: Runtime): Promise<CreationRun> {
  const queue = await readCreationQueue(deps.kvStore);
  const run: CreationRun = {
    tried: 0,
    created: [],
    versioned: [],
    failed: [],
    remaining: queue.entries.length,
  };
  if (queue.entries.length === 0) return run;
  const timeBudgetMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  const deadline = startDeadline(deps.clock, timeBudgetMs);
  const config = await loadConfig(deps);
  const { api, budget } = createPacedClient(config, { ...deps, deadline });
  const model = await getFieldModel({ ...deps, config, api });
  const creator = creatorDepsFor(config, model.primary, {
    ...deps,
    api,
    deadline,
    sync: 'creation job',
    timeBudgetMs,
  });
  const versioner = versionDepsFor(
    config,
    fingerprintField(model, config.fileFingerprintMetaproperty, deps.logger),
    {
      ...deps,
      api,
      deadline,
      sync: 'creation job',
      timeBudgetMs,
      assetRead: () => undefined,
      ...(creator?.poller ? { poller: creator.poller } : {}),
    },
  );
  const settled = new Set<string>();
  const subjectOf = (entry: CreationEntry | undefined, row: string) =>
    entry?.kind === 'version'
      ? `the new version of asset ${entry.key}`
      : `key ${JSON.stringify((entry?.key ?? row).slice(0, 200))}`;
  const settle = (
    row: string,
    end: CreationResult | undefined,
    entry: CreationEntry | undefined,
    key: string,
  ) => {
    if (end?.kind === 'created') {
      // Counted where its end was recorded: one settled by a delivery meanwhile was counted there.
      if (end.settled) (entry?.kind === 'version' ? run.versioned : run.created).push(key);
      settled.add(row);
    } else if (end?.kind === 'rejected') {
      run.failed.push({ key, subject: subjectOf(entry, row), reason: end.reason });
      settled.add(row);
    } else if (!entry) {
      run.failed.push({
        key,
        subject: subjectOf(entry, row),
        reason: 'its creation record expired before the asset was created; send the record again',
      });
      settled.add(row);
    }
  };
  // As many creations at once as deliver() runs writes, oldest first; each gives its slot up while
  // Bynder converts its upload (write-slots.ts), so the next one uploads meanwhile.
  const slots = new WriteSlots(config.maxInFlight);
  const resume = async (entry: CreationEntry): Promise<CreationResult | undefined> => {
    if (entry.kind !== 'version') return creator && createAsset(writeOf(entry), creator);
    if (!versioner) return undefined; // new versions off: the queue waits
    const made = await versionAsset(writeOf(entry), entry.key, versioner, true);
    if (made.kind === 'versioned' || made.kind === 'same') {
      const done = made.kind === 'versioned';
      return { kind: 'created', mediaId: entry.key, fresh: done, settled: done };
    }
    return made.kind === 'rejected' ? made : undefined;
  };
  const goOn = async (row: string): Promise<void> => {
    if (!deadline.allowsStart(MIN_CREATION_WINDOW_MS)) return; // the next run goes on
    const entry = await readCreation(deps.kvStore, row);
    run.tried += 1;
    if (!entry?.source) {
      settle(row, undefined, undefined, entry?.key ?? row);
      return;
    }
    if (entry.step === 'created' && entry.mediaId) {
      // Settled meanwhile by a delivery of the record: its end is reported here, once, as queued.
      settle(row, { kind: 'created', mediaId: entry.mediaId, fresh: false, settled: true }, entry, entry.key);
      return;
    }
    if (entry.step === 'failed') {
      settle(row, { kind: 'rejected', reason: entry.reason ?? 'the creation failed' }, entry, entry.key);
      return;
    }
    try {
      settle(row, await resume(entry), entry, entry.key);
    } catch (error) {
      const why = redactSecrets(
        error instanceof Error ? error.message : String(error),
        secretsOf(config.credentials),
      );
      deps.logger.warn(
        `Creation job: ${subjectOf(entry, row)} not finished this run (${why.slice(0, 500)}); it stays queued`,
      );
    }
  };
  budget.expect(queue.entries.length * 8);
  await Promise.all(queue.entries.map(({ row }) => slots.run(() => goOn(row))));
  await budget.release();
  await dequeueCreations(deps.kvStore, settled, deps);
  run.remaining = (await readCreationQueue(deps.kvStore)).entries.length;
  await reportRun(run, deps);
  return run;
}

/** The write a queued creation stands for, from what its row keeps. */
function writeOf(entry: CreationEntry): PlannedWrite {
  const source = entry.source!; // checked by the caller
  return {
    kind: 'upsert',
    key: entry.key,
    subject: `key ${JSON.stringify(entry.key.slice(0, 200))}`,
    records: [],
    form: {
      ...source.form,
      [FILE_FORM_KEYS.url]: source.url,
      ...(source.name !== undefined ? { [FILE_FORM_KEYS.name]: source.name } : {}),
      ...(source.version !== undefined ? { [FILE_FORM_KEYS.version]: source.version } : {}),
    },
  };
}

/** The Activity Log hears of every creation that ended; failures are kept in the rejection log too. */
async function reportRun(run: CreationRun, deps: Runtime): Promise<void> {
  const name = (keys: readonly string[]) =>
    keys
      .slice(0, NAMED)
      .map((key) => JSON.stringify(key.slice(0, 100)))
      .join(', ') + (keys.length > NAMED ? `, and ${keys.length - NAMED} more` : '');
  const notices: Array<Promise<void>> = [];
  if (run.created.length > 0) {
    notices.push(
      deps.notifier.success(
        NOTICE_ACTIVITY,
        'Bynder assets created',
        `${run.created.length} asset${run.created.length === 1 ? ' was' : 's were'} created from queued records: ${name(run.created)}.`,
        `${run.remaining} creation${run.remaining === 1 ? '' : 's'} still queued.`,
      ),
    );
  }
  if (run.versioned.length > 0) {
    notices.push(
      deps.notifier.success(
        NOTICE_ACTIVITY,
        'Bynder new versions saved',
        `${run.versioned.length} asset${run.versioned.length === 1 ? ' has' : 's have'} a new version from queued records: ${name(run.versioned)}.`,
        `${run.remaining} upload${run.remaining === 1 ? '' : 's'} still queued.`,
      ),
    );
  }
  if (run.failed.length > 0) {
    await appendRejections(
      deps.kvStore,
      run.failed.map(({ key, subject, reason }) => ({
        key,
        subject,
        field: undefined,
        reason,
        records: 1,
      })),
      { syncName: 'creation job', clock: deps.clock },
    ).catch((error: unknown) =>
      deps.logger.error('Creation job: could not keep the failed creations:', error),
    );
    notices.push(
      deps.notifier.error(
        NOTICE_ACTIVITY,
        'Bynder assets not created',
        `${run.failed.length} queued record${run.failed.length === 1 ? '' : 's'} could not become an asset: ${name(run.failed.map((f) => f.key))}.`,
        `First reason: ${(run.failed[0]?.reason ?? '').slice(0, 500)}. Fix the record's file_url (or the file), then send the record again; every reason is in the rejection log (Troubleshooting).`,
      ),
    );
  }
  for (const notice of notices) {
    await notice.catch((error: unknown) =>
      deps.logger.warn('Creation job: a notice could not be sent:', error),
    );
  }
  const line = `Creation job: ${run.tried} queued creation${run.tried === 1 ? '' : 's'} tried, ${run.created.length} created, ${run.versioned.length} versioned, ${run.failed.length} failed; ${run.remaining} still queued`;
  if (run.failed.length > 0) deps.logger.warn(line);
  else deps.logger.info(line);
}
