import type { MediaForm } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import { compareText } from '../fields/compare-text';
import { readStoredFixedValues } from '../fields/fixed-values';
import type { FieldModel } from '../fields/field';
import { type FieldModelDeps, getFieldModel } from '../fields/get-field-model';
import { applyFixedValues } from './apply-fixed-values';
import { findAddedAndRemoved, mergeUpsertForm } from './list-delta';
import type { AssetItem } from './asset-item';
import { DELETED_MARKER, isAssetItem, isDeleteEvent } from './asset-item';
import { contentHash } from '../state/content-hash';
import {
  type CreatedOption,
  createMissingOptions,
  type OptionCreation as OptionCreationResult,
} from './create-options';
import type { AppliedOutcome, PendingOutcome, RecordProblem, RejectedOutcome } from './outcome';
import { rejectedOutcome } from './outcome';
import { checkRecordBounds } from '../record-bounds';
import { describeRecord, readRecordKey } from './record-key';

// Step 3 of deliver(): turn a batch into writes. Per key, events are replayed in batch order into
// one write (see docs/delivery.md, "Several events for one key"), validated and encoded with the
// field model, and dropped when the applied ledger says an earlier attempt did it. planBatch does no
// I/O; planDelivery adds the one refresh of the field model that schema drift may call for.

export interface PlannedWrite {
  kind: 'upsert' | 'delete';
  key: string;
  subject: string;
  records: readonly number[];
  /** The form for `POST /api/v4/media/{id}/`; empty for a delete. */
  form: MediaForm;
  /** How a delete is carried out (the delete policy); upserts have none. */
  deleteBy?: 'archive' | 'delete';
  /**
   * The form as planned, when change detection left out fields Bynder already holds (`form` is then
   * what is sent): the ledger fingerprints the planned write, so a retry finds it whatever was read.
   */
  plannedForm?: MediaForm;
  /**
   * Change detection read the asset and its file fingerprint differs from the record's file, so the
   * file becomes a new version without another read (versioning.ts).
   */
  fileCompared?: true;
}

export interface BatchPlan {
  /** The field model the plan was made with (the refreshed one after schema drift). */
  model: FieldModel;
  writes: PlannedWrite[];
  rejected: RejectedOutcome[];
  /** Applied without a request: ignored deletes, nothing to change, or applied by an earlier attempt. */
  done: AppliedOutcome[];
  /** Records that wait for an option to be created (a missing right, another delivery creating it). */
  pending: PendingOutcome[];
  /** Options created in Bynder for this batch's values (unknownOptions: 'create'). */
  createdOptions: CreatedOption[];
  /** Fields the records carry that the field model does not know, with how many records carry each. */
  unknownFields: ReadonlyMap<string, number>;
  /** Values dropped under unknownOptions: 'drop', as `subject field "x": warning`. */
  warnings: string[];
}

export type PlanPolicy = Pick<AppConfig, 'deletePolicy' | 'emptyValues' | 'unknownOptions'>;

/** A cached model older than this is fetched again when a batch carries fields it does not know. */
export const MODEL_REFRESH_MIN_AGE_MS = 60_000;

/**
 * The plan for a batch. Schema drift (the batch carries a field the model does not know: deleted in
 * Bynder, or no longer editable) drops that field from the write with a warning, and the rest is
 * applied. A cached model may simply be behind, so it is fetched again, once per batch, and only when
 * older than a minute: a column that stays unknown must not cost requests every batch. The
 * settings' fixed values are filled in first, into every record that carries no value of its own.
 */
export async function planDelivery(
  batchItems: readonly unknown[],
  model: FieldModel,
  alreadyApplied: ReadonlySet<string>,
  deps: FieldModelDeps,
): Promise<BatchPlan> {
  const { config, clock, logger } = deps;
  const records = applyFixedValues(batchItems, readStoredFixedValues(config.fixedValuesText));
  const options = await createMissingOptions(records, model, deps);
  let plan = planBatch(records, options.model, config, alreadyApplied);
  if (plan.unknownFields.size > 0 && clock.now() - model.fetchedAt > MODEL_REFRESH_MIN_AGE_MS) {
    plan = planBatch(records, await getFieldModel(deps, { forceRefresh: true }), config, alreadyApplied);
  }
  if (plan.unknownFields.size > 0) {
    const names = [...plan.unknownFields]
      .map(([name, n]) => `"${name}" (${n} record${n === 1 ? '' : 's'})`)
      .join(', ');
    logger.warn(
      `Fields not in Bynder's field model (deleted in Bynder or no longer editable) were dropped from the write, and the rest of each record applied: ${names.slice(0, 1_000)}. Remove them from the mapping in the Sync Manager.`,
    );
  }
  for (const warning of plan.warnings.slice(0, 20)) {
    logger.warn(`Value dropped (unknown options are set to "drop"): ${warning.slice(0, 300)}`);
  }
  return settleOptionCreation(plan, options);
}

/**
 * Records whose new option could not be created were rejected by planning as "not an option": those
 * that wait (a missing right, another delivery creating it, Bynder unavailable) become pending, and
 * those the metaproperty refuses carry the refusal as their reason.
 */
function settleOptionCreation(plan: BatchPlan, options: OptionCreationResult): BatchPlan {
  plan.createdOptions = options.created;
  if (options.waiting.size === 0 && options.refused.size === 0) return plan;
  const rejected: RejectedOutcome[] = [];
  for (const outcome of plan.rejected) {
    const cause = outcome.records.map((index) => options.waiting.get(index)).find((c) => c !== undefined);
    const refusal = outcome.records.flatMap((index) => options.refused.get(index) ?? []);
    if (cause !== undefined) {
      plan.pending.push({
        key: outcome.key,
        subject: outcome.subject,
        records: outcome.records,
        status: 'pending',
        cause,
      });
    } else if (refusal.length > 0) {
      rejected.push(rejectedOutcome(outcome, refusal, refusal[0]?.field ?? outcome.field));
    } else rejected.push(outcome);
  }
  plan.rejected = rejected;
  return plan;
}

/**
 * A write's fingerprint as the applied ledger stores it: 32 hex characters of SHA-256 over key,
 * operation and encoded content, so a changed record never matches an earlier attempt's write.
 */
export function writeFingerprint(write: PlannedWrite): string {
  if (write.kind === 'delete') return contentHash([write.key, `delete:${write.deleteBy ?? 'archive'}`]);
  const fields = Object.entries(write.plannedForm ?? write.form).sort(([a], [b]) => compareText(a, b));
  return contentHash([write.key, 'upsert', ...fields.flat()]);
}

interface KeyedEvents {
  key: string;
  events: Array<{ index: number; item: AssetItem }>;
}

export function planBatch(
  items: readonly unknown[],
  model: FieldModel,
  policy: PlanPolicy,
  alreadyApplied: ReadonlySet<string> = new Set(),
): BatchPlan {
  const plan: BatchPlan = {
    model,
    writes: [],
    rejected: [],
    done: [],
    pending: [],
    createdOptions: [],
    unknownFields: new Map(),
    warnings: [],
  };
  const primary = model.primary.name;

  const byKey = new Map<string, KeyedEvents>();
  items.forEach((item, index) => {
    if (!isAssetItem(item)) {
      const subject = describeRecord(primary, undefined, index);
      plan.rejected.push(
        rejectedOutcome({ key: undefined, subject, records: [index] }, [
          { problem: 'not an object (OCP sends one object per record)' },
        ]),
      );
      return;
    }
    const reading = readRecordKey(item, primary);
    // Before any validator or problem text recurses into a value: a record too deep or too large is
    // rejected alone (named by its key when that is readable, which needs no recursion).
    const bounds = checkRecordBounds(item);
    if (!bounds.ok) {
      const readKey = reading.ok ? reading.key : undefined;
      const subject = describeRecord(primary, readKey, index);
      const problem =
        bounds.field === undefined
          ? { problem: bounds.problem }
          : { field: bounds.field, problem: bounds.problem };
      plan.rejected.push(rejectedOutcome({ key: readKey, subject, records: [index] }, [problem]));
      return;
    }
    if (!reading.ok) {
      // The problem names the primary field itself, so it is not repeated as `field "…":`.
      const subject = describeRecord(primary, undefined, index);
      plan.rejected.push(
        rejectedOutcome(
          { key: undefined, subject, records: [index] },
          [{ problem: reading.problem }],
          primary,
        ),
      );
      return;
    }
    // The primary field's own validator (e.g. the shape of a Bynder asset id): a key that cannot
    // name an asset is rejected here rather than costing a request that can only answer 404.
    const keyCheck = model.primary.toWrite(reading.key, policy);
    if (keyCheck.kind === 'invalid') {
      const subject = describeRecord(primary, reading.key, index);
      plan.rejected.push(
        rejectedOutcome({ key: reading.key, subject, records: [index] }, [
          { field: primary, problem: keyCheck.problem },
        ]),
      );
      return;
    }
    // Grouped and sent under the validator's spelling (an asset id in upper case), so two spellings
    // of one key make one write.
    const key = keyCheck.kind === 'set' ? keyCheck.formValue : reading.key;
    const group = byKey.get(key) ?? { key, events: [] };
    group.events.push({ index, item });
    byKey.set(key, group);
  });

  for (const { key, events } of byKey.values()) {
    const { final, ignored } = replayEvents(key, events, model, policy, plan);
    if (ignored.length > 0) {
      // Deletes under the "ignore" policy: settled as applied, each on its own, without a request.
      const ignoredSubject = describeRecord(primary, key, ignored[0] ?? 0);
      plan.done.push({ status: 'applied', key, subject: ignoredSubject, records: ignored });
    }
    if (!final) continue; // every other event for this key was rejected
    const { records } = final;
    const subject = describeRecord(primary, key, records[0] ?? 0);
    if (final.kind === 'delete') {
      // "ignore" never yields a delete (its deletes are settled above).
      const deleteBy = policy.deletePolicy === 'delete' ? 'delete' : 'archive';
      addWrite(plan, alreadyApplied, { kind: 'delete', key, subject, records, form: {}, deleteBy });
    } else if (Object.keys(final.form).length === 0) {
      // Nothing to change (every mapped field empty under "leave"): applied without a request.
      plan.done.push({ status: 'applied', key, subject, records });
    } else {
      addWrite(plan, alreadyApplied, { kind: 'upsert', key, subject, records, form: final.form });
    }
  }
  return plan;
}

/** What the delete policy "archive" writes for a delete: `POST /api/v4/media/{id}/` with archive=true. */
export const ARCHIVE_FORM: Readonly<MediaForm> = { archive: 'true' };

interface ReplayedKey {
  /** The one write the key's events add up to; undefined when none is left (all rejected or ignored). */
  final?: { kind: 'delete'; records: number[] } | { kind: 'upsert'; form: MediaForm; records: number[] };
  /** Deletes settled without a write (delete policy "ignore"). */
  ignored: number[];
}

/**
 * Replays one key's events in batch order into the state applying them one by one would leave, so
 * the outcome does not depend on where OCP cuts its batches. Every upsert is validated on its own (a
 * bad event is rejected alone and changes nothing); valid upserts merge field by field, later
 * values winning. A delete, by policy:
 * - "archive": sets archive=true in the merged form; fields before and after it still apply, and a
 *   later `archive` value wins. Deletes alone are one archive write.
 * - "delete": the asset is gone, so upserts before it are moot (they share its outcome) and an upsert
 *   after it is rejected: applied one by one, Bynder would answer it 404 (asset not found).
 * - "ignore": settled as applied on its own; the upserts around it merge as if it were not there.
 * Events that end in the final write share its outcome.
 */
function replayEvents(
  key: string,
  events: KeyedEvents['events'],
  model: FieldModel,
  policy: PlanPolicy,
  plan: BatchPlan,
): ReplayedKey {
  // One records list and one form for the key, grown in place: copying them on every event made a
  // key with n events cost n² (50,000 events for one key took seconds to plan).
  const records: number[] = [];
  const ignored: number[] = [];
  const form: MediaForm = {};
  let fieldsWritten = false;
  let archived = false;
  let deletedBy: number | undefined;
  for (const { index, item } of events) {
    if (isDeleteEvent(item)) {
      if (policy.deletePolicy === 'ignore') ignored.push(index);
      else {
        records.push(index);
        if (policy.deletePolicy === 'archive') {
          Object.assign(form, ARCHIVE_FORM);
          archived = true;
        } else deletedBy ??= index;
      }
      continue;
    }
    const subject = describeRecord(model.primary.name, key, index);
    if (deletedBy !== undefined) {
      plan.rejected.push(
        rejectedOutcome({ key, subject, records: [index] }, [
          {
            problem: `comes after record #${deletedBy + 1} of this batch, which deletes this asset (delete policy "delete"); Bynder cannot update a deleted asset (it would answer 404, not found). Send the update before the delete, or set the delete policy to "archive"`,
          },
        ]),
      );
      continue;
    }
    const encoded = encodeUpsert(item, model, policy, plan, subject);
    if (encoded.problems.length > 0) {
      plan.rejected.push(rejectedOutcome({ key, subject, records: [index] }, encoded.problems));
      continue;
    }
    records.push(index);
    if (Object.keys(encoded.form).length > 0) fieldsWritten = true;
    mergeUpsertForm(form, encoded.form);
  }
  if (records.length === 0) return { ignored };
  // A delete wins under "delete"; archive-only events stay a delete (a 404 is then "already gone").
  if (deletedBy !== undefined || (archived && !fieldsWritten)) {
    return { final: { kind: 'delete', records }, ignored };
  }
  return { final: { kind: 'upsert', form, records }, ignored };
}

function encodeUpsert(
  item: AssetItem,
  model: FieldModel,
  policy: PlanPolicy,
  plan: BatchPlan,
  subject: string,
): { form: MediaForm; problems: RecordProblem[] } {
  const form: MediaForm = {};
  const problems: RecordProblem[] = [];
  const unknown = plan.unknownFields as Map<string, number>;
  for (const [name, value] of Object.entries(item)) {
    if (name === model.primary.name || name === DELETED_MARKER) continue;
    const field = model.byName.get(name);
    if (!field) {
      unknown.set(name, (unknown.get(name) ?? 0) + 1);
      continue;
    }
    // A field without a form key (asset_id mapped next to an external key) identifies, never writes.
    if (field.formKey === undefined) continue;
    const write = field.toWrite(value, policy);
    switch (write.kind) {
      case 'set':
        form[field.formKey] = write.formValue;
        for (const warning of write.warnings) plan.warnings.push(`${subject} field "${name}": ${warning}`);
        break;
      case 'clear':
        form[field.formKey] = '';
        break;
      case 'leave':
        break;
      case 'invalid':
        problems.push({
          field: name,
          problem: write.problem,
          ...(write.bynder ? { bynder: write.bynder } : {}),
        });
        break;
    }
  }
  for (const clash of findAddedAndRemoved(form)) {
    const [added, removed] = (['+', '-'] as const).map(
      (sign) =>
        model.fields.find((field) => field.formKey === `${sign}${clash.formKey}`)?.name ?? clash.formKey,
    );
    const list = model.fields.find((field) => field.formKey === clash.formKey);
    const named = clash.values.map((value) => `"${list?.describeEntry?.(value) ?? value}"`);
    problems.push({
      problem: `fields "${added}" and "${removed}" both name ${named.join(', ')}; a record cannot add and remove the same value: keep it in one of the two`,
    });
  }
  return { form, problems };
}

/** Queues the write, or counts it applied when an earlier attempt's ledger holds its fingerprint. */
function addWrite(plan: BatchPlan, alreadyApplied: ReadonlySet<string>, write: PlannedWrite): void {
  if (alreadyApplied.size > 0 && alreadyApplied.has(writeFingerprint(write))) {
    plan.done.push({ status: 'applied', key: write.key, subject: write.subject, records: write.records });
  } else plan.writes.push(write);
}
