import pLimit from 'p-limit';

import type { Media } from '../bynder/api-types';
import type { BynderApi, MediaForm } from '../bynder/bynder-api';
import { BynderError } from '../bynder/errors';
import type { AppConfig } from '../config';
import type { Field, FieldModel } from '../fields/field';
import { holdsBoolean } from '../fields/boolean-value';
import { readAssetValue } from '../fields/held-value';
import { FILE_FORM_KEYS, splitFileForm } from '../fields/file-fields';
import { fileFingerprint } from '../state/creation-ledger';
import { holdsFingerprint } from './versioning';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import type { AssetResolver } from './asset-resolver';
import { DELIVERY_TIME_BUDGET_MS } from '../pacing/deadline';
import { foldListChanges, hasListChanges } from './list-delta';
import type { AppliedOutcome, RecordOutcome } from './outcome';
import type { PlannedWrite } from './plan';
import { decideRecentWrites, noteRecentWrites, type RecentWrites } from '../state/recent-writes';

// Step 4 of deliver(): Bynder has no bulk write, one request per asset, but it reads many assets in
// one request (`GET /api/v4/media/?ids=`, IDS_PER_MEDIA_READ ids a request, through the same paced
// client, so the reads count against the request budget). So the batch's targeted assets are read
// first and each planned write is compared, field by field as encoded, with what Bynder holds
// (each value kind's comparison, e.g. fields/text-value.ts): a write whose every field already
// holds its value is dropped (applied, "unchanged"); otherwise only the fields that differ, or whose
// value the read cannot establish, are sent. An archive of an asset the read shows archived is
// dropped too; one the read does not answer is sent (a read may answer fewer assets than asked). Never for an asset this install wrote within the safety window
// (state/recent-writes.ts): Bynder applies writes later, so its read may be stale. In external-key mode the lookups that
// resolve the keys answer the assets they found, and only the others are read.
//
// Whatever the mode, the assets about to be written are noted in the recent-writes row before any
// write is sent (one row update per batch, the same that reads the row); a write whose asset id is known only later (an external
// key whose lookup failed here, or whose cached asset turned out gone) is noted before it is sent
// (`noteBeforeSend`).

/** The form keys of tags added or removed (list-change-fields.ts). */
const TAG_CHANGES = ['+tags', '-tags'];

/**
 * Why a tags add/remove waits: the list it changes is known only from a read that can be trusted
 * (not of an asset this app wrote within the safety window; none is made under write_all).
 */
export const TAGS_WAIT_CAUSE = 'tags add/remove waits for a read it can trust';

export interface ChangeDetectionDeps {
  api: BynderApi;
  resolver: AssetResolver;
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  model: FieldModel;
  config: Pick<AppConfig, 'changeDetection' | 'maxInFlight'>;
  /** The file fingerprint metaproperty's Bynder name, when new versions are on. */
  fingerprintMetaproperty?: string;
  /** How long writes of this batch may still start (default: the time budget); recent entries outlast it. */
  timeBudgetMs?: number;
}

export interface DetectedChanges {
  /** What is left to send, each with only the fields that differ (`plannedForm` keeps the plan). */
  writes: PlannedWrite[];
  /** Planned writes Bynder already holds: applied without a request. */
  unchanged: PlannedWrite[];
  /** Their outcomes (applied, unchanged). */
  outcomes: AppliedOutcome[];
  /** Writes that add or remove tags where the read cannot be trusted: pending, sent later. */
  waiting: RecordOutcome[];
  /** Notes an asset id about to be written, unless this batch noted it already. */
  noteBeforeSend: (id: string) => Promise<void>;
}

export async function detectChanges(
  planned: readonly PlannedWrite[],
  deps: ChangeDetectionDeps,
): Promise<DetectedChanges> {
  if (planned.length === 0) {
    return {
      writes: [],
      unchanged: [],
      outcomes: [],
      waiting: [],
      noteBeforeSend: (id) => noteOne(id, deps),
    };
  }
  const prepared =
    deps.config.changeDetection === 'read_first' && planned.length > 0
      ? await compareWithBynder(planned, deps)
      : await noComparison(planned, deps);
  const sendingForMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  const noted = new Set<string>();
  // One update of the recent-writes row reads it (after Bynder's answer) and notes the writes it
  // decides on, before any is sent.
  const detected = await decideRecentWrites(
    deps.kvStore,
    (recent) => {
      const decided = prepared.decide(recent);
      return { result: decided, ids: decided.writes.flatMap((write) => decided.ids.get(write.key) ?? []) };
    },
    { clock: deps.clock, sendingForMs },
  );
  for (const write of detected.writes) {
    const id = detected.ids.get(write.key);
    if (id !== undefined) noted.add(id);
  }
  const note = async (ids: readonly string[]) => {
    const fresh = [...new Set(ids)].filter((id) => !noted.has(id));
    await noteRecentWrites(deps.kvStore, fresh, { clock: deps.clock, sendingForMs });
    for (const id of fresh) noted.add(id);
  };
  // Tags have no add/remove of their own in Bynder: without a read to trust they wait, rather
  // than be guessed at or replace the whole list (noted as recent with the rest: harmless).
  const waiting = detected.writes.filter((write) => TAG_CHANGES.some((key) => key in write.form));
  const writes = detected.writes.filter((write) => !waiting.includes(write));
  return {
    writes,
    unchanged: detected.unchanged,
    waiting: waiting.map((write) => ({
      key: write.key,
      subject: write.subject,
      records: write.records,
      status: 'pending' as const,
      cause: TAGS_WAIT_CAUSE,
    })),
    outcomes: detected.unchanged.map(unchangedOutcome),
    noteBeforeSend: (id) => (noted.has(id) ? Promise.resolve() : note([id])),
  };
}

interface Compared {
  writes: PlannedWrite[];
  unchanged: PlannedWrite[];
  /** Record key → asset id, for every key resolved. */
  ids: Map<string, string>;
}

/** Notes one asset about to be written, for a batch that planned no write (nothing else noted). */
function noteOne(id: string, deps: ChangeDetectionDeps): Promise<void> {
  const sendingForMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  return noteRecentWrites(deps.kvStore, [id], { clock: deps.clock, sendingForMs });
}

/** What Bynder was asked, and how to decide the writes once the recent-writes row is read. */
interface Prepared {
  decide: (recent: RecentWrites) => Compared;
}

async function noComparison(planned: readonly PlannedWrite[], deps: ChangeDetectionDeps): Promise<Prepared> {
  const ids = await knownIds(planned, deps);
  return { decide: () => ({ writes: [...planned], unchanged: [], ids }) };
}

async function compareWithBynder(
  planned: readonly PlannedWrite[],
  deps: ChangeDetectionDeps,
): Promise<Prepared> {
  const ids = await knownIds(planned, deps);
  const wanted = [...new Set(ids.values())].filter((id) => deps.resolver.assetRead(id) === undefined);
  const read = await readAssets(wanted, deps);
  if (!read) return { decide: () => ({ writes: [...planned], unchanged: [], ids }) };
  const byFormKey = new Map<string, Field>();
  for (const field of deps.model.fields) if (field.formKey) byFormKey.set(field.formKey, field);

  // Decided from the recent-writes row as read after Bynder was: a write another invocation noted
  // before Bynder's answer is seen there. Pure: it may run again if the row changed meanwhile.
  const decide = (recent: RecentWrites): Compared => {
    const writes: PlannedWrite[] = [];
    const unchanged: PlannedWrite[] = [];
    for (const write of planned) {
      const id = ids.get(write.key);
      const decision =
        id === undefined || recent.isRecent(id)
          ? write
          : compareWrite(
              write,
              read.get(id) ?? deps.resolver.assetRead(id),
              byFormKey,
              deps.fingerprintMetaproperty,
            );
      if (decision === 'unchanged') unchanged.push(write);
      else writes.push(decision);
    }
    return { writes, unchanged, ids };
  };
  return { decide };
}

/**
 * Asset ids by record key. With asset ids as keys that is the key itself; external keys are
 * resolved here, by the lookups their writes would make anyway (the resolver keeps each answer for
 * execution). A key whose lookup fails is left out: execution resolves it again and words the failure.
 */
async function knownIds(
  planned: readonly PlannedWrite[],
  deps: ChangeDetectionDeps,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (deps.model.primary.target.kind === 'asset_id') {
    for (const write of planned) ids.set(write.key, write.key);
    return ids;
  }
  const limit = pLimit(deps.config.maxInFlight);
  await Promise.all(
    planned.map((write) =>
      limit(async () => {
        try {
          const resolved = await deps.resolver.resolve(write.key);
          if (resolved.kind === 'found') ids.set(write.key, resolved.id);
        } catch (error) {
          // Execution resolves the key again and words what failed; this write is not compared.
          deps.logger.debug(
            `Change detection: ${write.subject} not resolved (${String(error)}); sent as planned`,
          );
        }
      }),
    ),
  );
  return ids;
}

/**
 * The assets among `ids` that Bynder answers, by id; undefined when the read failed (then nothing
 * is dropped, and execution meets whatever stopped the read: a block, refused credentials, an outage).
 */
async function readAssets(
  ids: readonly string[],
  deps: Pick<ChangeDetectionDeps, 'api' | 'logger'>,
): Promise<Map<string, Media> | undefined> {
  try {
    const answered = ids.length > 0 ? await deps.api.listMediaByIds(ids) : [];
    return new Map(answered.map((asset) => [asset.id, asset]));
  } catch (error) {
    if (!(error instanceof BynderError)) throw error;
    deps.logger.warn(
      `Change detection could not read the batch's ${ids.length} assets from Bynder (${error.message}); every planned write is sent as planned`,
    );
    return undefined;
  }
}

/**
 * What to send for one write, given the asset as read (undefined: the read did not answer it):
 * 'unchanged', the write itself, or the write with only the fields that do not hold their value.
 */
export function compareWrite(
  write: PlannedWrite,
  asset: Media | undefined,
  byFormKey: ReadonlyMap<string, Field>,
  fingerprintMetaproperty?: string,
): PlannedWrite | 'unchanged' {
  if (write.kind === 'delete') {
    // Only an asset the read shows archived is left alone. One the read does not answer may be gone,
    // but a read can answer fewer assets than it was asked for (Bynder does not document when `?ids=`
    // leaves an asset out), so the archive or the DELETE is sent and Bynder's 404 settles a gone
    // asset as "already gone": "unchanged" is said only of what the read showed.
    if (write.deleteBy === 'archive' && asset) {
      if (holdsBoolean(readAssetValue(asset, 'archive'), 'true') === 'holds') return 'unchanged';
    }
    return write;
  }
  // An upsert of an asset the read does not answer is sent: Bynder's own 404 rejects it.
  if (!asset) return write;
  // Add/remove values become one whole list, computed from the list the read shows (no request of
  // their own); a list the read cannot establish keeps them, for execution to send one by one.
  const folding = hasListChanges(write.form);
  const form = folding
    ? foldListChanges(write.form, (formKey) => byFormKey.get(formKey)?.heldList?.(asset))
    : write.form;
  const differing: MediaForm = {};
  for (const [formKey, value] of Object.entries(form)) {
    const held = byFormKey.get(formKey)?.holds(asset, value) ?? 'unknown';
    if (held !== 'holds') differing[formKey] = value;
  }
  // The record's file holds when the asset's fingerprint says it came from it (versioning.ts).
  let fileCompared = false;
  const { file } = splitFileForm(write.form);
  if (file && fingerprintMetaproperty !== undefined) {
    if (holdsFingerprint(asset, fingerprintMetaproperty, fileFingerprint(file))) {
      for (const key of Object.values(FILE_FORM_KEYS)) delete differing[key];
    } else fileCompared = true;
  }
  const kept = Object.keys(differing).length;
  if (kept === 0) return 'unchanged';
  const compared = fileCompared ? { fileCompared: true as const } : {};
  if (!folding && kept === Object.keys(write.form).length) return { ...write, ...compared };
  return { ...write, form: differing, plannedForm: write.plannedForm ?? write.form, ...compared };
}

function unchangedOutcome(write: PlannedWrite): AppliedOutcome {
  return {
    status: 'applied',
    unchanged: true,
    key: write.key,
    subject: write.subject,
    records: write.records,
  };
}
