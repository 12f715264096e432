import type { MediaForm } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import { compareText } from '../fields/compare-text';
import type { FieldModel } from '../fields/field';
import { type FieldModelDeps, getFieldModel } from '../fields/get-field-model';
import type { AssetItem } from './asset-item';
import { DELETED_MARKER, isAssetItem, isDeleteEvent } from './asset-item';
import { contentHash } from './content-hash';
import type { AppliedOutcome, RecordProblem, RejectedOutcome } from './outcome';
import { rejectedOutcome } from './outcome';
import { checkRecordBounds } from './record-bounds';
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
}

export interface BatchPlan {
  /** The field model the plan was made with (the refreshed one after schema drift). */
  model: FieldModel;
  writes: PlannedWrite[];
  rejected: RejectedOutcome[];
  /** Applied without a request: ignored deletes, nothing to change, or applied by an earlier attempt. */
  done: AppliedOutcome[];
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
 * older than a minute: a column that stays unknown must not cost requests every batch.
 */
export async function planDelivery(
  items: readonly unknown[],
  model: FieldModel,
  alreadyApplied: ReadonlySet<string>,
  deps: FieldModelDeps,
): Promise<BatchPlan> {
  const { config, clock, logger } = deps;
  let plan = planBatch(items, model, config, alreadyApplied);
  if (plan.unknownFields.size > 0 && clock.now() - model.fetchedAt > MODEL_REFRESH_MIN_AGE_MS) {
    plan = planBatch(items, await getFieldModel(deps, { forceRefresh: true }), config, alreadyApplied);
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
  return plan;
}

/**
 * A write's fingerprint as the applied ledger stores it: 32 hex characters of SHA-256 over key,
 * operation and encoded content, so a changed record never matches an earlier attempt's write.
 */
export function writeFingerprint(write: PlannedWrite): string {
  if (write.kind === 'delete') return contentHash([write.key, `delete:${write.deleteBy ?? 'archive'}`]);
  const fields = Object.entries(write.form).sort(([a], [b]) => compareText(a, b));
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
    const replayed = replayEvents(key, events, model, policy, plan);
    if (!replayed) continue; // every event for this key was rejected
    const { records } = replayed;
    const subject = describeRecord(primary, key, records[0] ?? 0);
    if (replayed.kind === 'delete') {
      if (policy.deletePolicy === 'ignore') plan.done.push({ status: 'applied', key, subject, records });
      else {
        const deleteBy = policy.deletePolicy;
        addWrite(plan, alreadyApplied, { kind: 'delete', key, subject, records, form: {}, deleteBy });
      }
    } else if (Object.keys(replayed.form).length === 0) {
      // Nothing to change (every mapped field empty under "leave"): applied without a request.
      plan.done.push({ status: 'applied', key, subject, records });
    } else {
      addWrite(plan, alreadyApplied, { kind: 'upsert', key, subject, records, form: replayed.form });
    }
  }
  return plan;
}

type ReplayedKey =
  { kind: 'delete'; records: number[] } | { kind: 'upsert'; form: MediaForm; records: number[] };

/**
 * Replays one key's events in batch order, as if each were applied in turn: every upsert is
 * validated on its own (a bad event is rejected alone and changes nothing), valid upserts merge
 * field by field with later values winning, and a delete discards what came before it. So the
 * outcome does not depend on where OCP cuts its batches. Events that end in the final write share
 * its outcome; undefined when every event was rejected.
 */
function replayEvents(
  key: string,
  events: KeyedEvents['events'],
  model: FieldModel,
  policy: PlanPolicy,
  plan: BatchPlan,
): ReplayedKey | undefined {
  // One records list and one form for the key, grown in place: copying them on every event made a
  // key with n events cost n² (50,000 events for one key took seconds to plan).
  let state: ReplayedKey | undefined;
  const records: number[] = [];
  for (const { index, item } of events) {
    if (isDeleteEvent(item)) {
      records.push(index);
      state = { kind: 'delete', records };
      continue;
    }
    const subject = describeRecord(model.primary.name, key, index);
    const encoded = encodeUpsert(item, model, policy, plan, subject);
    if (encoded.problems.length > 0) {
      plan.rejected.push(rejectedOutcome({ key, subject, records: [index] }, encoded.problems));
      continue;
    }
    records.push(index);
    if (state?.kind === 'upsert') Object.assign(state.form, encoded.form);
    else state = { kind: 'upsert', form: encoded.form, records };
  }
  return state;
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
        problems.push({ field: name, problem: write.problem });
        break;
    }
  }
  return { form, problems };
}

/** Queues the write, or counts it applied when an earlier attempt's ledger holds its fingerprint. */
function addWrite(plan: BatchPlan, alreadyApplied: ReadonlySet<string>, write: PlannedWrite): void {
  if (alreadyApplied.size > 0 && alreadyApplied.has(writeFingerprint(write))) {
    plan.done.push({ status: 'applied', key: write.key, subject: write.subject, records: write.records });
  } else plan.writes.push(write);
}
