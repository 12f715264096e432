import { z } from 'zod';

import type { Clock, KeyValueStore, Random, StoredRow } from '../runtime-ports';
import { contentHash } from './content-hash';
import { CREATION_QUEUE_ROW, CREATION_ROW } from './kv-rows';
import { parseStateRow, readStateRow, stateRow, updateStateRow } from './state-row';

// The creation ledger: one row per external key whose asset the app creates, claimed before the
// first upload request and moved on after every step, so that a retry, a re-delivery, a parallel
// invocation on another worker or the creation job resumes the one creation and never starts a
// second. Bynder's search index may lag a new asset, so the row outlives the creation
// (CREATION_ROW.ttlSeconds): while it says "created", a lookup by key that finds nothing is answered
// from it, never with another creation.
//
// Steps, in order (each written with compare-and-set by the holder of the claim only):
//   uploading  claimed; nothing of the upload is known yet (an upload cut here is never saved: the
//              next holder starts it over, which costs requests, never an asset)
//   uploaded   the finalise answered `importId`; the save is not sent yet
//   saving     the save of `importId` is being sent or was sent without an answer
//   saved      Bynder answered that `importId` was saved already, without saying as which asset: the
//              asset exists and is waited for in Bynder's search index, never created again
//   created    `mediaId` is the asset
//   failed     the record's file cannot become an asset (`reason`); a new file_url or file_version
//              claims afresh
// Exactly once rests on two rules: a save is sent only for the import this row records, and an
// import is never recorded twice (a holder whose claim was taken over cannot write its own). So at
// most one import is ever saved per key, and Bynder saves an import once (a second save of it is
// answered 404, "Upload doesn't exist"; Bynder's upload reference, "Save as a new asset").

export const CREATION_STEPS = ['uploading', 'uploaded', 'saving', 'saved', 'created', 'failed'] as const;
export type CreationStep = (typeof CREATION_STEPS)[number];

/**
 * The ledger's two kinds of row: the creation of an asset (keyed by the external key) and the new
 * versions of one asset (keyed by its id). A version row passes through the same steps; its `saved`
 * means the version is saved and the fingerprint's follow-up modify is still to send, and a new file
 * (another fingerprint) claims a settled version row afresh: each file becomes one version.
 */
export type LedgerKind = 'creation' | 'version';

/** The steps after which nothing is uploaded or saved again for the same file. */
const SETTLED_STEPS: Readonly<Record<LedgerKind, ReadonlySet<CreationStep>>> = {
  creation: new Set(['saved', 'created', 'failed']),
  version: new Set(['created', 'failed']),
};

/** The row of the new versions of the asset `mediaId`. */
export function versionRowKey(mediaId: string): string {
  return CREATION_ROW.keyPrefix + contentHash(['version', mediaId]);
}

/**
 * Bounded so a row stays far under OCP's per-record limit (about 400 KB): the save's form at most
 * CREATION_FORM_BYTES, key 512, reason 500, URL 2,048, ids 100 characters.
 */
export const CREATION_ROW_BYTES = 110_000;
/** The most bytes (UTF-8 JSON) of the save's form a row keeps for the job; a larger one is not queued. */
export const CREATION_FORM_BYTES = 100_000;

export const creationEntrySchema = z.object({
  key: z.string().max(512),
  /** What the creation is of: a hash of file_url and file_version (new versions compare it). */
  file: z.string().max(64),
  step: z.enum(CREATION_STEPS),
  holder: z.string().max(100),
  /** The claim holds until then (ms since epoch); after it, anyone may take the creation over. */
  until: z.number(),
  importId: z.string().max(200).optional(),
  mediaId: z.string().max(100).optional(),
  reason: z.string().max(500).optional(),
  sync: z.string().max(200),
  /** What the creation job needs to go on without the record: the file and the save's form. */
  source: z
    .object({
      url: z.string().max(8_192),
      name: z.string().max(255).optional(),
      version: z.string().max(200).optional(),
      form: z.record(z.string(), z.string()),
    })
    .optional(),
  /** Handed to the creation job (queued for creation): the job reports its end. */
  queued: z.boolean().optional(),
  /** A new version's row (keyed by the asset id, `key` holds it); absent on a creation's row. */
  kind: z.literal('version').optional(),
  startedAt: z.number(),
  updatedAt: z.number(),
  /** How many times a claim was taken (the first one and every takeover). */
  claims: z.number().int(),
});
export type CreationEntry = z.infer<typeof creationEntrySchema>;

/** The row of `key`, matched by `metaproperty` (the key's meaning). */
export function creationRowKey(metaproperty: string, key: string): string {
  return CREATION_ROW.keyPrefix + contentHash(['creation', metaproperty, key]);
}

/** The fingerprint of a record's file: what the asset was (or is being) created or versioned from. */
export function fileFingerprint(file: { url: string; version?: string }): string {
  return contentHash(['file', file.url, file.version ?? '']);
}

function fitsRow(source: NonNullable<CreationEntry['source']>): boolean {
  return Buffer.byteLength(JSON.stringify(source.form), 'utf8') <= CREATION_FORM_BYTES;
}

/** A creation row's value: the entry, or nothing (a missing row). */
type CreationRowValue = CreationEntry | Record<string, never>;

/**
 * A value that does not parse is read as no creation and claimed afresh: only this app writes the
 * row, through this schema, so such a value can only be one an older version wrote in another shape.
 */
export const CREATION_STATE_ROW = stateRow<CreationRowValue>(CREATION_ROW, {
  schema: creationEntrySchema,
  empty: () => ({}),
  // A key's row is missing when its creation is claimed: created first, then one patch per step.
  usuallyMissing: true,
});

const entryOf = (value: CreationRowValue): CreationEntry | undefined =>
  'key' in value ? (value as CreationEntry) : undefined;

/** The row as stored, or undefined when missing or unreadable (an unreadable row is claimed afresh). */
export function parseCreation(row: StoredRow): CreationEntry | undefined {
  return entryOf(parseStateRow(CREATION_STATE_ROW, row));
}

export async function readCreation(
  kvStore: KeyValueStore,
  rowKey: string,
): Promise<CreationEntry | undefined> {
  return entryOf(await readStateRow(kvStore, CREATION_STATE_ROW, rowKey));
}

/** Applies `update` to the creation row at `rowKey` (compare-and-set; unchanged writes nothing). */
async function updateCreation(
  kvStore: KeyValueStore,
  rowKey: string,
  update: (entry: CreationEntry | undefined) => CreationEntry | undefined,
  deps: { clock: Clock; random?: Random },
): Promise<void> {
  await updateStateRow(
    { kvStore, ...deps },
    CREATION_STATE_ROW,
    (current) => update(entryOf(current)) ?? current,
    rowKey,
  );
}

export interface CreationClaim {
  rowKey: string;
  /** The entry as read back after the claim. */
  entry: CreationEntry | undefined;
  /** Whether this caller holds the claim (it alone may move the creation on). */
  held: boolean;
}

export interface ClaimRequest {
  key: string;
  /** Kept in the row for the creation job (when its form fits CREATION_FORM_BYTES). */
  source?: CreationEntry['source'];
  file: string;
  sync: string;
  /** The claim holds until then: past the claimer's time budget, so it never lapses while it works. */
  until: number;
  holder: string;
}

/**
 * Claims the creation of `request.key`: a missing (or unreadable) row is claimed at `uploading`; a
 * row in progress whose claim lapsed is taken over where it stands; a `failed` row of another file
 * is claimed afresh. A live claim of someone else, or a settled creation, is left as it is. The row is
 * read back, so of concurrent claimers exactly one holds it.
 */
export async function claimCreation(
  kvStore: KeyValueStore,
  rowKey: string,
  request: ClaimRequest,
  deps: { clock: Clock; random?: Random },
  kind: LedgerKind = 'creation',
): Promise<CreationClaim> {
  const now = deps.clock.now();
  const SETTLED = SETTLED_STEPS[kind];
  const renews = (entry: CreationEntry) =>
    entry.file !== request.file &&
    (entry.step === 'failed' || (kind === 'version' && entry.step === 'created'));
  const claim = (entry: CreationEntry | undefined): CreationEntry | undefined => {
    if (!entry || renews(entry)) {
      const fresh: CreationEntry = {
        key: request.key,
        file: request.file,
        step: 'uploading',
        holder: request.holder,
        until: request.until,
        sync: request.sync.slice(0, 200),
        ...(request.source && fitsRow(request.source) ? { source: request.source } : {}),
        ...(kind === 'version' ? { kind } : {}),
        startedAt: now,
        updatedAt: now,
        claims: (entry?.claims ?? 0) + 1,
      };
      return fresh;
    }
    if (SETTLED.has(entry.step) || (entry.until > now && entry.holder !== request.holder)) return entry;
    return {
      ...entry,
      holder: request.holder,
      until: request.until,
      updatedAt: now,
      claims: entry.claims + 1,
    };
  };
  try {
    await updateCreation(kvStore, rowKey, claim, deps);
  } catch {
    // Every try conflicted: others wrote the row; the read below says whether one of them was us.
  }
  const after = await readCreation(kvStore, rowKey);
  return { rowKey, entry: after, held: after?.holder === request.holder && !SETTLED.has(after.step) };
}

/**
 * Moves the creation on, only while `holder` holds it (its claim may have been taken over since).
 * Answers the entry as read back, and whether the change is in it.
 */
export async function advanceCreation(
  kvStore: KeyValueStore,
  rowKey: string,
  holder: string,
  change: Partial<Pick<CreationEntry, 'step' | 'importId' | 'mediaId' | 'reason' | 'until' | 'queued'>>,
  deps: { clock: Clock; random?: Random },
  kind: LedgerKind = 'creation',
): Promise<{ entry: CreationEntry | undefined; applied: boolean }> {
  const now = deps.clock.now();
  const SETTLED = SETTLED_STEPS[kind];
  const advance = (entry: CreationEntry | undefined): CreationEntry | undefined => {
    if (!entry || entry.holder !== holder || SETTLED.has(entry.step)) return entry;
    const next: CreationEntry = {
      ...entry,
      ...change,
      ...(change.reason !== undefined ? { reason: change.reason.slice(0, 500) } : {}),
      updatedAt: now,
    };
    return next;
  };
  await updateCreation(kvStore, rowKey, advance, deps);
  const after = await readCreation(kvStore, rowKey);
  const applied =
    after !== undefined &&
    after.holder === holder &&
    (change.step === undefined || after.step === change.step) &&
    (change.importId === undefined || after.importId === change.importId) &&
    (change.mediaId === undefined || after.mediaId === change.mediaId);
  return { entry: after, applied };
}

/**
 * Notes that the asset of a `saved` creation was found (`mediaId`), whoever holds the claim: a fact
 * about Bynder, not a step of the upload. Answers whether this call recorded it (the creation was
 * not settled before), so exactly one caller counts the creation.
 */
export async function noteCreatedAsset(
  kvStore: KeyValueStore,
  rowKey: string,
  mediaId: string,
  deps: { clock: Clock; random?: Random },
): Promise<boolean> {
  const now = deps.clock.now();
  // Set by the updater's last run, the one whose value the compare-and-set wrote.
  let recorded = false;
  await updateCreation(
    kvStore,
    rowKey,
    (entry) => {
      recorded = false;
      if (!entry || entry.step === 'created' || entry.step === 'failed') return entry;
      recorded = true;
      return { ...entry, step: 'created', mediaId, updatedAt: now };
    },
    deps,
  );
  return recorded;
}

// ── The queue: which creations the job goes on with ──────────────────────────────────────────────
// The kvStore cannot list rows, so the creation job finds queued creations through one index row of
// their row keys (CREATION_QUEUE_ROW), oldest first. A row key is 41 characters, so the bound of
// MAX_QUEUED_CREATIONS entries keeps it near 60 kB. A creation that finds the queue full is not
// queued: its record stays pending (OCP retries it), counted in the batch's causes, never dropped.

export const MAX_QUEUED_CREATIONS = 1_000;

const queueSchema = z.object({
  entries: z.array(z.object({ row: z.string().max(100), at: z.number() })).max(MAX_QUEUED_CREATIONS),
});
export type CreationQueue = z.infer<typeof queueSchema>;

/** The queue is what leads the job to its creations: a value that does not parse is kept and reported. */
export const CREATION_QUEUE_STATE_ROW = stateRow<CreationQueue>(CREATION_QUEUE_ROW, {
  schema: queueSchema,
  empty: () => ({ entries: [] }),
});

export function parseQueue(row: StoredRow): CreationQueue {
  return parseStateRow(CREATION_QUEUE_STATE_ROW, row);
}

export async function readCreationQueue(kvStore: KeyValueStore): Promise<CreationQueue> {
  return readStateRow(kvStore, CREATION_QUEUE_STATE_ROW);
}

/** Adds `rowKey` to the queue; false when the queue is full (the caller leaves the record pending). */
export async function enqueueCreation(
  kvStore: KeyValueStore,
  rowKey: string,
  deps: { clock: Clock; random?: Random },
): Promise<boolean> {
  const at = deps.clock.now();
  const outcome = await updateStateRow({ kvStore, ...deps }, CREATION_QUEUE_STATE_ROW, ({ entries }) => {
    if (entries.some((entry) => entry.row === rowKey) || entries.length >= MAX_QUEUED_CREATIONS) {
      return { entries };
    }
    return { entries: [...entries, { row: rowKey, at }] };
  });
  return outcome.status !== 'over-budget' && outcome.value.entries.some((entry) => entry.row === rowKey);
}

/** Takes the settled `rowKeys` off the queue. */
export async function dequeueCreations(
  kvStore: KeyValueStore,
  rowKeys: ReadonlySet<string>,
  deps: { clock: Clock; random?: Random },
): Promise<void> {
  if (rowKeys.size === 0) return;
  await updateStateRow({ kvStore, ...deps }, CREATION_QUEUE_STATE_ROW, ({ entries }) => ({
    entries: entries.filter((entry) => !rowKeys.has(entry.row)),
  }));
}
