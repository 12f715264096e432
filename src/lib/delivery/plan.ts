import type { MediaForm } from '../bynder/bynder-api';
import type { AppConfig } from '../config';
import type { FieldModel } from '../fields/field';
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
  total: number;
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
    total: items.length,
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
    const group = byKey.get(reading.key) ?? { key: reading.key, events: [] };
    group.events.push({ index, item });
    byKey.set(reading.key, group);
  });

  for (const { key, events } of byKey.values()) {
    const records = events.map((event) => event.index);
    const subject = describeRecord(primary, key, records[0] ?? 0);
    const replayed = replayEvents(events);
    if (replayed.kind === 'delete') {
      if (policy.deletePolicy === 'ignore') plan.settled.push({ status: 'applied', key, subject, records });
      else {
        addWrite(plan, alreadyApplied, {
          kind: 'delete',
          key,
          subject,
          records,
          form: {},
          hash: contentHash([key, `delete:${policy.deletePolicy}`]),
        });
      }
      continue;
    }
    const encoded = encodeUpsert(replayed.values, model, policy, plan, subject);
    if (encoded.problems.length > 0) {
      const first = encoded.problems[0];
      const shown = encoded.problems
        .slice(0, MAX_PROBLEMS_PER_RECORD)
        .map((p) => `field "${p.field}": ${p.problem}`);
      const more = encoded.problems.length - shown.length;
      const reason = shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
      plan.rejected.push({
        ...rejection(key, subject, records, reason),
        ...(first ? { field: first.field } : {}),
      });
    } else if (Object.keys(encoded.form).length === 0) {
      // Nothing to change (every mapped field empty under "leave"): applied without a request.
      plan.settled.push({ status: 'applied', key, subject, records });
    } else {
      const hash = contentHash([key, 'upsert', ...Object.entries(encoded.form).sort(byName).flat()]);
      addWrite(plan, alreadyApplied, { kind: 'upsert', key, subject, records, form: encoded.form, hash });
    }
  }
  return plan;
}

/**
 * Replays one key's events in batch order. A delete wins unless upserts follow it; consecutive
 * upserts merge field by field, later values winning, so partial records end as if applied in order.
 */
function replayEvents(
  events: KeyedEvents['events'],
): { kind: 'delete' } | { kind: 'upsert'; values: Map<string, unknown> } {
  let state: { kind: 'delete' } | { kind: 'upsert'; values: Map<string, unknown> } | undefined;
  for (const { item } of events) {
    if (isDeleteEvent(item)) {
      state = { kind: 'delete' };
      continue;
    }
    const values = state?.kind === 'upsert' ? state.values : new Map<string, unknown>();
    for (const [name, value] of Object.entries(item)) {
      if (name !== DELETED_MARKER) values.set(name, value);
    }
    state = { kind: 'upsert', values };
  }
  return state ?? { kind: 'upsert', values: new Map() };
}

function encodeUpsert(
  values: ReadonlyMap<string, unknown>,
  model: FieldModel,
  policy: PlanPolicy,
  plan: BatchPlan,
  subject: string,
): { form: MediaForm; problems: Array<{ field: string; problem: string }> } {
  const form: MediaForm = {};
  const problems: Array<{ field: string; problem: string }> = [];
  const unknown = plan.unknownFields as Map<string, number>;
  for (const [name, value] of values) {
    if (name === model.primary.name) continue;
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

function addWrite(plan: BatchPlan, alreadyApplied: ReadonlySet<string>, write: PlannedWrite): void {
  if (alreadyApplied.has(write.hash)) {
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

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
