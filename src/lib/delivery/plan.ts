import type { MediaForm } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import type { FieldModel } from '../fields/field';
import { compareText } from '../fields/compare-text';
import { DELETED_MARKER, isAssetItem, isDeleteEvent } from './asset-item';
import type { AssetItem } from './asset-item';
import { contentHash } from './content-hash';
import { describeRecord, readRecordKey } from './record-key';
import type { AppliedSettlement, RejectedSettlement } from './settlement';

// Step 3 of deliver(): turn a batch into writes, without any I/O. Per key, events are replayed in
// batch order into one write (see docs/delivery.md, "Several events for one key"), validated and
// encoded with the field model, and dropped when the applied ledger says an earlier attempt did it.

export interface PlannedWrite {
  kind: 'upsert' | 'delete';
  key: string;
  subject: string;
  records: readonly number[];
  /** The form for `POST /api/v4/media/{id}/`; empty for a delete. */
  form: MediaForm;
  /** Fingerprint of key + operation + content, as the applied ledger stores it. */
  hash: string;
}

export interface BatchPlan {
  /** The field model the plan was made with (the refreshed one after schema drift). */
  model: FieldModel;
  writes: PlannedWrite[];
  rejected: RejectedSettlement[];
  /** Needs no request: ignored deletes, nothing to change, or applied by an earlier attempt. */
  settled: AppliedSettlement[];
  /** Fields the records carry that the field model does not know, with how many records carry each. */
  unknownFields: ReadonlyMap<string, number>;
  /** Values dropped under unknownOptions: 'drop', as `subject field "x": warning`. */
  warnings: string[];
}

export type PlanPolicy = Pick<AppConfig, 'deletePolicy' | 'emptyValues' | 'unknownOptions'>;

/** A problem list longer than this names the first few and counts the rest. */
const MAX_PROBLEMS_PER_RECORD = 3;

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
    settled: [],
    unknownFields: new Map(),
    warnings: [],
  };
  const primary = model.primary.name;

  const byKey = new Map<string, KeyedEvents>();
  items.forEach((item, index) => {
    if (!isAssetItem(item)) {
      plan.rejected.push(
        rejection(
          undefined,
          describeRecord(primary, undefined, index),
          [index],
          'not an object (OCP sends one object per record)',
        ),
      );
      return;
    }
    const reading = readRecordKey(item, primary);
    if (!reading.ok) {
      plan.rejected.push({
        ...rejection(undefined, describeRecord(primary, undefined, index), [index], reading.problem),
        field: primary,
      });
      return;
    }
    // The primary field's own validator (e.g. the shape of a Bynder asset id): a key that cannot
    // name an asset is rejected here rather than costing a request that can only answer 404.
    const keyCheck = model.primary.toWrite(reading.key, policy);
    if (keyCheck.kind === 'invalid') {
      const subject = describeRecord(primary, reading.key, index);
      plan.rejected.push({
        ...rejection(reading.key, subject, [index], `field "${primary}": ${keyCheck.problem}`),
        field: primary,
      });
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
      if (policy.deletePolicy === 'ignore') plan.settled.push({ status: 'applied', key, subject, records });
      else {
        const write = { kind: 'delete', key, subject, records, form: {} } as const;
        addWrite(
          plan,
          alreadyApplied,
          withLazyHash(write, () => [key, `delete:${policy.deletePolicy}`]),
        );
      }
    } else if (Object.keys(replayed.form).length === 0) {
      // Nothing to change (every mapped field empty under "leave"): applied without a request.
      plan.settled.push({ status: 'applied', key, subject, records });
    } else {
      const { form } = replayed;
      const write = { kind: 'upsert', key, subject, records, form } as const;
      const fields = () => Object.entries(form).sort(([a], [b]) => compareText(a, b));
      addWrite(
        plan,
        alreadyApplied,
        withLazyHash(write, () => [key, 'upsert', ...fields().flat()]),
      );
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
  let state: ReplayedKey | undefined;
  for (const { index, item } of events) {
    const records = [...(state?.records ?? []), index];
    if (isDeleteEvent(item)) {
      state = { kind: 'delete', records };
      continue;
    }
    const subject = describeRecord(model.primary.name, key, index);
    const encoded = encodeUpsert(item, model, policy, plan, subject);
    if (encoded.problems.length > 0) {
      plan.rejected.push(rejectionFor(key, subject, index, encoded.problems));
      continue;
    }
    const before = state?.kind === 'upsert' ? state.form : {};
    state = { kind: 'upsert', form: { ...before, ...encoded.form }, records };
  }
  return state;
}

function rejectionFor(
  key: string,
  subject: string,
  index: number,
  problems: ReadonlyArray<{ field: string; problem: string }>,
): RejectedSettlement {
  const shown = problems.slice(0, MAX_PROBLEMS_PER_RECORD).map((p) => `field "${p.field}": ${p.problem}`);
  const more = problems.length - shown.length;
  const reason = shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
  const first = problems[0];
  return { ...rejection(key, subject, [index], reason), ...(first ? { field: first.field } : {}) };
}

function encodeUpsert(
  item: AssetItem,
  model: FieldModel,
  policy: PlanPolicy,
  plan: BatchPlan,
  subject: string,
): { form: MediaForm; problems: Array<{ field: string; problem: string }> } {
  const form: MediaForm = {};
  const problems: Array<{ field: string; problem: string }> = [];
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

/**
 * The fingerprint is computed on first use: only a batch with a ledger to check, or one that leaves
 * something pending (and so writes a ledger), needs it; most batches never do.
 */
function withLazyHash(write: Omit<PlannedWrite, 'hash'>, parts: () => string[]): PlannedWrite {
  let hash: string | undefined;
  return {
    ...write,
    get hash() {
      return (hash ??= contentHash(parts()));
    },
  };
}

function addWrite(plan: BatchPlan, alreadyApplied: ReadonlySet<string>, write: PlannedWrite): void {
  if (alreadyApplied.size > 0 && alreadyApplied.has(write.hash)) {
    plan.settled.push({ status: 'applied', key: write.key, subject: write.subject, records: write.records });
  } else plan.writes.push(write);
}

function rejection(
  key: string | undefined,
  subject: string,
  records: readonly number[],
  reason: string,
): RejectedSettlement {
  return { status: 'rejected', key, subject, records, reason };
}
