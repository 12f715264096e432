import pLimit from 'p-limit';

import type { Media } from '../bynder/api-types';
import { IDS_PER_MEDIA_READ } from '../bynder/constants';
import { isBynderError } from '../bynder/errors';
import { type AppConfig, loadConfig } from '../config';
import type { Field, FieldModel } from '../fields/field';
import { readAssetValue } from '../fields/held-value';
import { getFieldModel } from '../fields/get-field-model';
import { readStoredFixedValues } from '../fields/fixed-values';
import { parseListChangeKey } from '../fields/list-change-fields';
import { quoteValue } from '../fields/describe-value';
import { createPacedClient } from '../pacing/paced-client';
import type { DeliveryDeadline } from '../pacing/deadline';
import type { Runtime } from '../runtime-ports';
import { checkRecordBounds } from '../record-bounds';
import { shorten } from '../shorten';
import { applyFixedValues } from './apply-fixed-values';
import { DELETED_MARKER, isAssetItem, isDeleteEvent } from './asset-item';
import { type AssetResolver, type Resolution, resolverFor } from './asset-resolver';
import { compareWrite } from './change-detection';
import { NOT_FOUND_REASON } from './execute';
import type { RecordProblem } from './outcome';
import { type BatchPlan, MODEL_REFRESH_MIN_AGE_MS, planBatch, type PlannedWrite } from './plan';
import { fingerprintField } from './versioning';

// What a delivery of these records would do, without doing it: the same steps as deliver() (fixed
// values, planning with the field model, resolving keys, reading the assets, change detection) up to
// the point where it would write, and no further. Every request is a read (the field model's
// listing, external-key lookups, `GET /api/v4/media/?ids=`), made through the install's paced client,
// so it waits for the request budget and honours a stored rate-limit block like every other request.
// Nothing is stored: not the key cache, not the ledger, not the recent-writes row. Options that
// "create the option" would add are named, never created.
//
// Two things a delivery decides only as it writes are described, not predicted: a field this app
// wrote within the last few minutes is sent again whatever the read shows (Bynder applies writes
// late), and a file is fetched only when an asset is created or versioned.

/** How long a value is shown in a preview (held or sent); the record's own field decides what is sent. */
const SHOWN_VALUE_LENGTH = 120;

/** What the preview says of one field of one record. */
export interface FieldVerdict {
  field: string;
  verdict:
    /** Written: `sent` is the value as encoded for Bynder (labels beside option ids). */
    | 'accepted'
    /** Cleared in Bynder (an empty value under "Empty values: clear"). */
    | 'cleared'
    /** Sent nothing (an empty value under "leave", or every option dropped under "drop"). */
    | 'left'
    | 'rejected'
    /** Not in Bynder's field model: left out of the write, the rest of the record applies. */
    | 'unknown field'
    /** Names the asset (the primary key, or an asset id beside an external key): not written. */
    | 'identifies';
  /** Accepted: the value as sent; cleared: ''. */
  sent?: string;
  /** Rejected: what is wrong and the fix. Otherwise a note (a dropped option, an option to create). */
  note?: string;
  /** What Bynder holds now, when the asset was read. */
  held?: string;
  /** Accepted or cleared, with the asset read: whether the write changes it. */
  change?: 'unchanged' | 'changes' | 'not compared';
}

/** Which asset a record targets. */
export interface TargetPreview {
  by: 'asset id' | 'external key';
  /** The record's key (as the validator spells it). */
  key: string;
  /** The external key's metaproperty (external-key mode only). */
  metaproperty?: string;
  /** The asset's id, when found. */
  id?: string;
  exists: 'yes' | 'no' | 'unknown';
  /** Why it does not exist, is ambiguous, or could not be read. */
  note?: string;
}

export type PreviewStatus =
  /** Would be written (some field differs, or the asset could not be compared). */
  | 'changes'
  /** Bynder holds every value already: nothing would be written. */
  | 'unchanged'
  /** Would create the asset from the record's file ("Records whose asset does not exist": create). */
  | 'create'
  /** Would archive or delete the asset (delete policy). */
  | 'delete'
  /** A delete the policy ignores, or of an asset already gone: nothing would be written. */
  | 'nothing'
  | 'rejected'
  /** Bynder could not be read for it: a delivery would find out (usually pending). */
  | 'unknown';

export interface RecordPreview {
  /** Position in the previewed batch (0-based). */
  index: number;
  key: string | undefined;
  /** `asset_id "…"` or `record #n`, as deliver()'s messages name it. */
  subject: string;
  kind: 'upsert' | 'delete';
  status: PreviewStatus;
  /** Problems of the record (rejected), field ones included; empty otherwise. */
  problems: RecordProblem[];
  fields: FieldVerdict[];
  target?: TargetPreview;
  /** What a delete does (archive or delete), what a creation or a new version needs, and the like. */
  notes: string[];
  /** The record's file differs from the one its asset was made from: it would become a new version. */
  newVersion?: true;
}

export interface BatchPreview {
  records: RecordPreview[];
  /** How records are matched to assets. */
  matchBy: AppConfig['primaryKey'];
  /** The delete policy the preview applied. */
  deletePolicy: AppConfig['deletePolicy'];
}

export type PreviewDeps = Runtime & { deadline?: DeliveryDeadline };

/**
 * Previews a batch as deliver() would carry it out, with the stored settings. Reads only; throws
 * what deliver() would throw before planning (not configured, the field model unreadable).
 */
export async function previewBatch(items: readonly unknown[], deps: PreviewDeps): Promise<BatchPreview> {
  const config = await loadConfig(deps);
  const { api, budget } = createPacedClient(config, deps);
  try {
    const modelDeps = { ...deps, config, api };
    let model = await getFieldModel(modelDeps);
    const records = applyFixedValues(items, readStoredFixedValues(config.fixedValuesText));
    // Fields the cached model does not know make a delivery fetch it again (planDelivery's rule, once
    // and only when older than a minute): so does the preview, so that it names the same fields.
    if (hasUnknownFields(records, model) && deps.clock.now() - model.fetchedAt > MODEL_REFRESH_MIN_AGE_MS) {
      model = await getFieldModel(modelDeps, { forceRefresh: true });
    }
    // Values "create the option" would add are set aside, so the rest of the record is planned (and
    // compared) as it would be once the option exists.
    const creatable = records.map((record) => optionsToCreate(record, model, config));
    const planned = records.map((record, index) => withoutFields(record, creatable[index]));
    const plan = planBatch(planned, model, config);
    const writes = plan.writes;
    const resolver = await resolverFor(
      model,
      { api, kvStore: deps.kvStore },
      writes.map((write) => write.key),
    );
    // The reads this preview makes: a bulk read per 100 assets, and in external-key mode up to one
    // lookup per key; the lease is sized to them, and what is not used goes back at the end.
    const lookups = model.primary.target.kind === 'metaproperty' ? writes.length : 0;
    budget.expect(Math.ceil(writes.length / IDS_PER_MEDIA_READ) + lookups);
    const found = await resolveAll(writes, resolver, config.maxInFlight);
    const read = await readTargets(found, resolver, api);
    const fingerprint = fingerprintField(model, config.fileFingerprintMetaproperty, deps.logger);
    const fields = byFormKey(model);
    const previews = records.map((record, index) =>
      previewRecord(record, index, {
        model,
        byFormKey: fields,
        config,
        plan,
        found,
        read,
        creatable: creatable[index] ?? new Map(),
        ...(fingerprint ? { fingerprintMetaproperty: fingerprint.metaproperty } : {}),
      }),
    );
    return { records: previews, matchBy: config.primaryKey, deletePolicy: config.deletePolicy };
  } finally {
    await budget.release();
  }
}

/** A key's asset, or why Bynder could not be asked. */
type Resolved = Resolution | { kind: 'failed'; reason: string };

/** Each write's key resolved to its asset (external keys looked up; asset ids as they are). */
async function resolveAll(
  writes: readonly PlannedWrite[],
  resolver: AssetResolver,
  maxInFlight: number,
): Promise<Map<string, Resolved>> {
  const found = new Map<string, Resolved>();
  const limit = pLimit(maxInFlight);
  await Promise.all(
    writes.map((write) =>
      limit(async () => {
        try {
          found.set(write.key, await resolver.resolve(write.key));
        } catch (error) {
          if (!isBynderError(error)) throw error;
          found.set(write.key, { kind: 'failed', reason: `Bynder could not be read: ${error.message}` });
        }
      }),
    ),
  );
  return found;
}

/** The assets the writes target, as Bynder answers them (a lookup's answer is reused); undefined when the read failed. */
async function readTargets(
  found: ReadonlyMap<string, Resolved>,
  resolver: AssetResolver,
  api: { listMediaByIds(ids: readonly string[]): Promise<Media[]> },
): Promise<{ assets: Map<string, Media> } | { failed: string }> {
  const ids = [...found.values()].flatMap((r) => (r.kind === 'found' ? [r.id] : []));
  const assets = new Map<string, Media>();
  for (const id of ids) {
    const known = resolver.assetRead(id);
    if (known) assets.set(id, known);
  }
  const wanted = [...new Set(ids)].filter((id) => !assets.has(id));
  try {
    for (const asset of wanted.length > 0 ? await api.listMediaByIds(wanted) : []) {
      assets.set(asset.id, asset);
    }
  } catch (error) {
    if (!isBynderError(error)) throw error;
    return { failed: `Bynder could not be read: ${error.message}` };
  }
  return { assets };
}

interface RecordContext {
  model: FieldModel;
  /** The model's fields by form key, as change detection compares with them. */
  byFormKey: ReadonlyMap<string, Field>;
  config: AppConfig;
  plan: BatchPlan;
  found: ReadonlyMap<string, Resolved>;
  read: { assets: Map<string, Media> } | { failed: string };
  /** Field name → the option labels "create the option" would add for it. */
  creatable: ReadonlyMap<string, string[]>;
  fingerprintMetaproperty?: string;
}

function previewRecord(record: unknown, index: number, context: RecordContext): RecordPreview {
  const { plan, model, config } = context;
  const outcomeOf = <T extends { records: readonly number[] }>(list: readonly T[]) =>
    list.find((entry) => entry.records.includes(index));
  const rejected = outcomeOf(plan.rejected);
  const write = outcomeOf(plan.writes);
  const done = outcomeOf(plan.done);
  const subject = rejected?.subject ?? write?.subject ?? done?.subject ?? `record #${index + 1}`;
  const key = rejected?.key ?? write?.key ?? done?.key;
  const item = isAssetItem(record) ? record : {};
  const kind = isAssetItem(record) && isDeleteEvent(record) ? 'delete' : 'upsert';
  const preview: RecordPreview = {
    index,
    key,
    subject,
    kind,
    status: 'unknown',
    problems: [],
    // A record past the bounds is not read field by field (planning rejected it before recursing).
    fields:
      kind === 'delete' || !checkRecordBounds(item).ok
        ? []
        : fieldVerdicts(item, model, config, context.creatable),
    notes: [],
  };
  if (rejected) {
    preview.status = 'rejected';
    preview.problems = [...rejected.problems];
    return preview;
  }
  if (kind === 'delete' && config.deletePolicy === 'ignore') {
    preview.status = 'nothing';
    preview.notes.push('a delete, and the delete policy is "ignore": the asset is left as it is');
    return preview;
  }
  const creating = [...context.creatable.values()].some((labels) => labels.length > 0);
  if (!write || key === undefined) {
    // Applied without a request: every mapped value is empty under "leave" (or is an option to create).
    preview.status = creating ? 'changes' : 'unchanged';
    if (!creating) {
      preview.notes.push('nothing to write: every value is empty and "Empty values" leaves Bynder unchanged');
    }
    return preview;
  }
  const resolution = context.found.get(write.key);
  const target: TargetPreview = {
    by: model.primary.target.kind === 'metaproperty' ? 'external key' : 'asset id',
    key: write.key,
    ...(model.primary.target.kind === 'metaproperty' ? { metaproperty: model.primary.target.name } : {}),
    exists: 'unknown',
  };
  preview.target = target;
  if (!resolution || resolution.kind === 'failed' || 'failed' in context.read) {
    target.note =
      resolution?.kind === 'failed'
        ? resolution.reason
        : 'failed' in context.read
          ? context.read.failed
          : 'not resolved';
    preview.notes.push('a delivery would try again later (pending) while Bynder cannot be read');
    return preview;
  }
  const asset = resolution.kind === 'found' ? context.read.assets.get(resolution.id) : undefined;
  if (resolution.kind === 'found') target.id = resolution.id;
  if (resolution.kind === 'ambiguous') {
    target.note = resolution.reason;
    preview.status = 'rejected';
    preview.problems = [{ problem: resolution.reason }];
    return preview;
  }
  if (!asset) {
    target.exists = 'no';
    target.note = resolution.kind === 'missing' ? resolution.reason : NOT_FOUND_REASON;
    if (write.kind === 'delete') {
      preview.status = 'nothing';
      preview.notes.push('the asset is already gone: what a delete wants');
    } else if (config.missingAssets.kind === 'create' && resolution.kind === 'missing') {
      preview.status = 'create';
      preview.notes.push(
        `the asset would be created from the record's file_url in brand ${config.missingAssets.brandId}, with these values and its key`,
      );
    } else {
      preview.status = 'rejected';
      preview.problems = [{ problem: target.note }];
    }
    return preview;
  }
  target.exists = 'yes';
  const compared = compareWrite(write, asset, context.byFormKey, context.fingerprintMetaproperty);
  if (write.kind === 'delete') {
    preview.status = compared === 'unchanged' ? 'unchanged' : 'delete';
    preview.notes.push(
      compared === 'unchanged'
        ? 'a delete, and the asset is archived already'
        : write.deleteBy === 'delete'
          ? 'a delete: the asset would be moved to Bynder\'s trash (delete policy "delete")'
          : 'a delete: the asset would be archived (delete policy "archive")',
    );
    return preview;
  }
  for (const verdict of preview.fields) describeChange(verdict, model, asset, compared);
  if (compared !== 'unchanged' && compared.fileCompared) {
    preview.newVersion = true;
    preview.notes.push(
      "the record's file differs from the one the asset was made from: it would become a new version",
    );
  }
  preview.status = compared === 'unchanged' && !creating ? 'unchanged' : 'changes';
  return preview;
}

/** Each field the record carries, as planning reads it (the same validators, the same policy). */
function fieldVerdicts(
  item: Record<string, unknown>,
  model: FieldModel,
  config: AppConfig,
  creatable: ReadonlyMap<string, string[]>,
): FieldVerdict[] {
  const verdicts: FieldVerdict[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name === DELETED_MARKER) continue;
    const field = model.byName.get(name);
    if (!field) {
      verdicts.push({
        field: name,
        verdict: 'unknown field',
        note: "not a field of Bynder's field model (deleted in Bynder, not editable, or misspelt): left out of the write; the rest of the record applies",
      });
      continue;
    }
    if (field.primary || field.formKey === undefined) {
      verdicts.push({ field: name, verdict: 'identifies', sent: shorten(String(value), SHOWN_VALUE_LENGTH) });
      continue;
    }
    const labels = creatable.get(name);
    if (labels && labels.length > 0) {
      verdicts.push({
        field: name,
        verdict: 'accepted',
        sent: shorten(typeof value === 'string' ? value : JSON.stringify(value), SHOWN_VALUE_LENGTH),
        note: `${labels.map((label) => quoteValue(label)).join(', ')} would be created as option${labels.length === 1 ? '' : 's'} of "${field.displayName}" ("Values that are not an option": create), then written`,
        change: 'changes',
      });
      continue;
    }
    const write = field.toWrite(value, config);
    switch (write.kind) {
      case 'set':
        verdicts.push({
          field: name,
          verdict: 'accepted',
          sent: describeFormValue(field, write.formValue),
          ...(write.warnings.length > 0 ? { note: write.warnings.join('; ') } : {}),
        });
        break;
      case 'clear':
        verdicts.push({ field: name, verdict: 'cleared', sent: '' });
        break;
      case 'leave':
        verdicts.push({
          field: name,
          verdict: 'left',
          note:
            write.warnings && write.warnings.length > 0
              ? write.warnings.join('; ')
              : 'empty, and "Empty values" leaves the Bynder value unchanged',
        });
        break;
      case 'invalid':
        verdicts.push({ field: name, verdict: 'rejected', note: write.problem });
        break;
    }
  }
  return verdicts;
}

/** Sets `held` and `change` of an accepted or cleared field from change detection's comparison. */
function describeChange(
  verdict: FieldVerdict,
  model: FieldModel,
  asset: Media,
  compared: PlannedWrite | 'unchanged',
): void {
  if (verdict.verdict !== 'accepted' && verdict.verdict !== 'cleared') return;
  const field = model.byName.get(verdict.field);
  if (!field?.formKey) return;
  // An add or remove value changes its list: the list as held is what it is compared with.
  const listKey = parseListChangeKey(field.formKey)?.formKey;
  const list = listKey === undefined ? field : (model.fields.find((f) => f.formKey === listKey) ?? field);
  verdict.held = describeHeld(list, asset);
  if (field.target.kind === 'file') {
    verdict.change = 'not compared';
    verdict.note =
      'the file is uploaded only to create an asset or, with a file fingerprint metaproperty, as a new version when it changed; it is never modified';
    return;
  }
  if (verdict.change !== undefined) return; // an option to create: set already
  if (compared === 'unchanged') {
    verdict.change = 'unchanged';
    return;
  }
  const sent = compared.form;
  const changes = field.formKey in sent || (listKey !== undefined && listKey in sent);
  if (!changes) verdict.change = 'unchanged';
  else {
    const held = field.holds(asset, sent[field.formKey] ?? '');
    verdict.change = held === 'unknown' && listKey === undefined ? 'not compared' : 'changes';
    if (listKey !== undefined && sent[listKey] !== undefined) {
      verdict.sent = describeFormValue(list, sent[listKey]);
    }
  }
}

/** What Bynder holds for a field, as its read answers it, cut short; '(empty)' for nothing. */
function describeHeld(field: Field, asset: Media): string {
  const list = field.heldList?.(asset);
  if (list) return list.length === 0 ? '(empty)' : describeFormValue(field, list.join(','));
  const target = field.target;
  const value =
    target.kind === 'standard'
      ? readAssetValue(asset, target.property)
      : target.kind === 'metaproperty'
        ? readAssetValue(asset, `property_${target.name}`)
        : undefined;
  // Absent from the answer: Bynder leaves out a metaproperty the asset has no value for, or does not say.
  if (value === undefined) return '(not in the read)';
  if (value === null || value === '') return '(empty)';
  const text = Array.isArray(value)
    ? value.map(String).join(', ')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  return shorten(text, SHOWN_VALUE_LENGTH);
}

/** A form value as a person reads it: option ids with their labels, cut short. */
function describeFormValue(field: Field, formValue: string): string {
  if (formValue === '') return '(empty)';
  const describe = field.describeEntry;
  const text = describe
    ? formValue
        .split(',')
        .map((entry) => describe(entry))
        .join(', ')
    : formValue;
  return shorten(text, SHOWN_VALUE_LENGTH);
}

function byFormKey(model: FieldModel): Map<string, Field> {
  const map = new Map<string, Field>();
  for (const field of model.fields) if (field.formKey) map.set(field.formKey, field);
  return map;
}

/** Whether any record carries a field the model does not know (the delete marker aside). */
function hasUnknownFields(records: readonly unknown[], model: FieldModel): boolean {
  return records.some(
    (record) =>
      isAssetItem(record) &&
      Object.keys(record).some((name) => name !== DELETED_MARKER && !model.byName.has(name)),
  );
}

/** Per field, the labels "create the option" would add (none under another policy, or when refused). */
function optionsToCreate(record: unknown, model: FieldModel, config: AppConfig): Map<string, string[]> {
  const labels = new Map<string, string[]>();
  if (config.unknownOptions !== 'create' || !isAssetItem(record) || isDeleteEvent(record)) return labels;
  for (const [name, value] of Object.entries(record)) {
    const creation = model.byName.get(name)?.optionCreation;
    if (!creation || creation.refused !== undefined) continue;
    const unknown = creation.unknownIn(value);
    if (unknown.length > 0) labels.set(name, unknown);
  }
  return labels;
}

/** The record without the given fields (the same record when there are none). */
function withoutFields(record: unknown, fields: ReadonlyMap<string, unknown> | undefined): unknown {
  if (!fields || fields.size === 0 || !isAssetItem(record)) return record;
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) if (!fields.has(name)) rest[name] = value;
  return rest;
}
