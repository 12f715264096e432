import type { LookupFunction } from 'node:net';

import type { BynderApi } from '../bynder/bynder-api';
import type { RequestDeadline } from '../bynder/client-options';
import { BynderNotFoundError, BynderUploadError, isBynderError } from '../bynder/errors';
import { ImportPoller } from '../bynder/import-poller';
import { type ImportOutcome, saveImport, uploadToImport } from '../bynder/upload';
import type { BynderUploadApi, UploadTarget } from '../bynder/upload-types';
import { type RecordFile, splitFileForm } from '../fields/file-fields';
import { holdsKey } from '../fields/key-text';
import { FileRefusedError } from '../files/errors';
import { openFileFromUrl } from '../files/open-file';
import type { Clock, KeyValueStore, Logger, Random } from '../runtime-ports';
import {
  advanceCreation,
  claimCreation,
  enqueueCreation,
  type CreationEntry,
  creationRowKey,
  fileFingerprint,
  noteCreatedAsset,
  readCreation,
} from '../state/creation-ledger';
import type { AssetResolver } from './asset-resolver';
import type { RecordOutcome } from './outcome';
import type { PlannedWrite } from './plan';
import { awaitOutsideWriteSlot, streamOutsideWriteSlot } from './write-slots';

// Creating the asset of a record whose key no asset holds (the setting "Records whose asset does not
// exist" = create): the record's file is fetched and uploaded, then saved as a new asset carrying
// every mapped value and the key, in the save request itself. Every step is recorded in the creation
// ledger (src/lib/state/creation-ledger.ts) before the next one starts, and only the holder of the
// key's claim moves it on, so whoever runs next (a retry, a re-delivery, another worker) resumes the
// one creation where it stands. See docs/delivery.md, "Creating assets".

/** Why a record waits while another invocation holds its creation's claim. */
export const CREATION_HELD_CAUSE = 'waiting: another invocation is creating this asset';
/** Why a record waits for Bynder's search index to show the asset its creation saved. */
export const CREATION_INDEX_CAUSE = "waiting: the asset was created; Bynder's search does not show it yet";

export type CreationResult =
  /**
   * `fresh`: this call's save carried every field of the write (else they still need a modify).
   * `settled`: this call recorded the creation's end in the ledger, so it alone counts it as created
   * (a save whose answer was lost is counted by whoever finds its asset, once).
   */
  | { kind: 'created'; mediaId: string; fresh: boolean; settled: boolean }
  | { kind: 'waiting'; cause: string }
  | { kind: 'rejected'; reason: string }
  /** Durably claimed and handed to the creation job, which reports its end. */
  | { kind: 'queued' };

/** A creation is started in deliver() only with this much of the time budget left; else it is queued. */
export const MIN_CREATION_WINDOW_MS = 10_000;
/** Why a record stays pending when its creation could not be queued. */
export const QUEUE_FULL_CAUSE = 'not queued: the creation queue is full';

export interface CreationDeps {
  api: BynderApi & BynderUploadApi;
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  random: Random;
  brandId: string;
  /** The external key's metaproperty: its Bynder name (lookups) and form key (the save). */
  key: { metaproperty: string; formKey: string };
  maxFileBytes: number;
  sync: string;
  /** When a claim taken now lapses: past the end of this invocation's time budget. */
  claimUntil: () => number;
  deadline?: RequestDeadline & { signal?: AbortSignal; allowsStart: (waitMs?: number) => boolean };
  /** Upload tuning (tests shorten polls; the S3 host's resolver). */
  upload?: { pollIntervalMs?: number; maxPolls?: number; chunkBytes?: number; lookup?: LookupFunction };
  /** Resolver for the file host (tests stub it). */
  fileLookup?: LookupFunction;
  /**
   * deliver(): what does not fit its time budget goes to the creation job (`trigger` starts it
   * now; the schedule runs it anyway). Absent in the job itself, which goes on to the end.
   */
  queue?: { trigger: () => Promise<void> };
  /** The file fingerprint metaproperty's form key: a new asset is saved with its file's fingerprint. */
  fingerprintFormKey?: string;
  /** Polls the imports of every creation of the invocation together (creatorDepsFor makes one). */
  poller?: ImportPoller;
}

/** The step a creation was at when one ran: counted by the tests that cut it after each. */
export type CreationProgress = (step: CreationEntry['step'], key: string) => void;

export function describeMissingFile(metaproperty: string, key: string): string {
  return `no asset has ${metaproperty} = ${JSON.stringify(key)}, and the record has no file_url to create it from; map file_url in the sync, or set "Records whose asset does not exist" to "reject the record"`;
}

/**
 * Creates the asset of `write` (an upsert whose key no asset holds), or resumes its creation, or
 * answers the asset the ledger knows. Throws what a Bynder or file-host failure throws (the caller
 * treats it as any failed write), after releasing the claim so the next attempt resumes at once.
 */
export async function createAsset(write: PlannedWrite, deps: CreationDeps): Promise<CreationResult> {
  const { kvStore, clock } = deps;
  const rowKey = creationRowKey(deps.key.metaproperty, write.key);
  const { form, file } = splitFileForm(write.form);
  const known = await readCreation(kvStore, rowKey);
  if (known?.step === 'created' && known.mediaId) {
    return { kind: 'created', mediaId: known.mediaId, fresh: false, settled: false };
  }
  // In the job's hands already: it reports the end (a record delivered again meanwhile waits for it).
  if (deps.queue && known?.queued && known.step !== 'failed' && known.step !== 'saved') {
    return { kind: 'queued' };
  }
  if (!file) {
    return known && known.step !== 'failed'
      ? { kind: 'waiting', cause: CREATION_HELD_CAUSE }
      : { kind: 'rejected', reason: describeMissingFile(deps.key.metaproperty, write.key) };
  }
  const fingerprint = fileFingerprint(file);
  // What the save sends besides the brand: every mapped value, the key (the asset is found again by
  // it) and, with new versions on, the fingerprint of the file it is made from.
  const saveForm = {
    ...form,
    [deps.key.formKey]: write.key,
    ...(deps.fingerprintFormKey !== undefined ? { [deps.fingerprintFormKey]: fingerprint } : {}),
  };
  if (known?.step === 'failed' && known.file === fingerprint) {
    return { kind: 'rejected', reason: known.reason ?? 'the creation of this asset failed' };
  }
  const holder = deps.random.id();
  const claim = await claimCreation(
    kvStore,
    rowKey,
    {
      key: write.key,
      file: fingerprint,
      sync: deps.sync,
      until: deps.claimUntil(),
      holder,
      source: { ...file, form: saveForm },
    },
    deps,
  );
  const entry = claim.entry;
  if (!claim.held || !entry) return settledOrWaiting(entry, rowKey, write.key, deps);

  const creation = new Creation(rowKey, holder, write.key, file, saveForm, deps);
  const queue = deps.queue;
  // Too little of the time budget left to start an upload: the job goes on with it.
  if (queue && entry.source && deps.deadline && !deps.deadline.allowsStart(MIN_CREATION_WINDOW_MS)) {
    return creation.handOver(queue);
  }
  try {
    return await creation.run(entry);
  } catch (error) {
    if (isFileAtFault(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      await creation.advance({ step: 'failed', reason });
      return { kind: 'rejected', reason };
    }
    if (queue && entry.source && ranOutOfTime(error, deps)) return creation.handOver(queue);
    // Released, not failed: the next attempt (any worker's) resumes from the last recorded step.
    await creation.advance({ until: clock.now() }).catch(() => undefined);
    throw error;
  }
}

/** What a caller without the claim answers: the asset, the failure, or "wait". */
async function settledOrWaiting(
  entry: CreationEntry | undefined,
  rowKey: string,
  key: string,
  deps: CreationDeps,
): Promise<CreationResult> {
  if (entry?.step === 'created' && entry.mediaId) {
    return { kind: 'created', mediaId: entry.mediaId, fresh: false, settled: false };
  }
  if (entry?.step === 'failed') return { kind: 'rejected', reason: entry.reason ?? 'the creation failed' };
  if (entry?.step === 'saved') {
    const found = await findByKey(deps, key);
    if (found) {
      const settled = await noteCreatedAsset(deps.kvStore, rowKey, found, deps);
      return { kind: 'created', mediaId: found, fresh: false, settled };
    }
    return { kind: 'waiting', cause: CREATION_INDEX_CAUSE };
  }
  return { kind: 'waiting', cause: CREATION_HELD_CAUSE };
}

/** The one asset whose key metaproperty holds exactly `key`, if Bynder's search shows exactly one. */
async function findByKey(deps: CreationDeps, key: string): Promise<string | undefined> {
  const property = `property_${deps.key.metaproperty}` as const;
  const answered = await deps.api.findMediaByProperty(deps.key.metaproperty, key, 2);
  const exact = answered.filter((asset) => holdsKey(asset[property], key));
  return exact.length === 1 ? exact[0]?.id : undefined;
}

/**
 * Hands a claimed creation or new version to the job: marked queued with its claim released (the job
 * takes it at once), put on the queue, and the job triggered. A full queue leaves the record pending
 * (OCP retries). `lost`: what to answer when the claim was taken over meanwhile.
 */
export async function handOverToJob<Lost>(
  advance: (
    change: Parameters<typeof advanceCreation>[3],
  ) => Promise<{ entry: CreationEntry | undefined; applied: boolean }>,
  rowKey: string,
  deps: Pick<CreationDeps, 'kvStore' | 'clock' | 'random' | 'logger'>,
  queue: { trigger: () => Promise<void> },
  lost: (entry: CreationEntry | undefined) => Lost | Promise<Lost>,
): Promise<{ kind: 'queued' } | { kind: 'waiting'; cause: string } | Lost> {
  const marked = await advance({ queued: true, until: deps.clock.now() });
  if (!marked.applied) return lost(marked.entry);
  if (!(await enqueueCreation(deps.kvStore, rowKey, deps))) {
    await advance({ queued: false });
    return { kind: 'waiting', cause: QUEUE_FULL_CAUSE };
  }
  await queue
    .trigger()
    .catch((error: unknown) =>
      deps.logger.debug(`Creation job not triggered (its schedule runs it): ${String(error)}`),
    );
  return { kind: 'queued' };
}

/** Whether `error` is the time budget's end (a request refused or cut by it, the file's fetch aborted). */
export function ranOutOfTime(error: unknown, deps: Pick<CreationDeps, 'deadline'>): boolean {
  if (deps.deadline?.signal?.aborted === true) return true;
  return isBynderError(error) && error.batchEffect === 'time_budget';
}

/** A failure that the same record sent again would meet again: the record is rejected. */
function isFileAtFault(error: unknown): boolean {
  return error instanceof FileRefusedError || (error instanceof BynderUploadError && !error.retryable);
}

/** Thrown before a save when the claim was taken over: this holder stops, sending nothing more. */
const CLAIM_LOST = new Error('the creation claim was taken over');

/** One holder's run of one creation, step by step from where the ledger stands. */
class Creation {
  public constructor(
    private readonly rowKey: string,
    private readonly holder: string,
    private readonly key: string,
    private readonly file: RecordFile,
    private readonly form: Record<string, string>,
    private readonly deps: CreationDeps,
  ) {}

  public async advance(
    change: Parameters<typeof advanceCreation>[3],
  ): Promise<{ entry: CreationEntry | undefined; applied: boolean }> {
    return advanceCreation(this.deps.kvStore, this.rowKey, this.holder, change, this.deps);
  }

  public async run(start: CreationEntry): Promise<CreationResult> {
    let entry = start;
    for (;;) {
      switch (entry.step) {
        case 'uploading': {
          const importId = await this.upload();
          const moved = await this.advance({ step: 'uploaded', importId });
          // Taken over meanwhile: this import is never saved (the new holder uploads its own).
          if (!moved.applied || !moved.entry) return this.lost(moved.entry);
          entry = moved.entry;
          break;
        }
        case 'uploaded':
        case 'saving': {
          const importId = entry.importId ?? '';
          if (entry.step === 'saving') {
            // A save was sent before and its answer lost: the asset may exist already.
            const found = await findByKey(this.deps, this.key);
            if (found) return this.created(found, false);
          }
          let mediaId: string;
          try {
            mediaId = await saveImport(importId, this.target(), {
              ...this.deps,
              ...this.deps.upload,
              fileName: this.fileName(),
              ...(this.deps.poller ? { awaitImport: awaitImportOutsideSlot(this.deps.poller) } : {}),
              beforeSave: async () => {
                const moved = await this.advance({ step: 'saving' });
                if (!moved.applied) throw CLAIM_LOST;
              },
            });
          } catch (error) {
            if (error === CLAIM_LOST) return this.lost(undefined);
            // Bynder no longer has the import: it was saved (by an earlier attempt whose answer was
            // lost), so the asset exists; it is waited for in the search index, never made again.
            if (error instanceof BynderNotFoundError && entry.step === 'saving') {
              await this.advance({ step: 'saved' });
              return { kind: 'waiting', cause: CREATION_INDEX_CAUSE };
            }
            throw error;
          }
          return this.created(mediaId, true);
        }
        default:
          return settledOrWaiting(entry, this.rowKey, this.key, this.deps);
      }
    }
  }

  public handOver(queue: { trigger: () => Promise<void> }): Promise<CreationResult> {
    return handOverToJob(
      (change) => this.advance(change),
      this.rowKey,
      this.deps,
      queue,
      (entry) => this.lost(entry),
    );
  }

  private async created(mediaId: string, fresh: boolean): Promise<CreationResult> {
    // Recorded as a fact about Bynder, not as this holder's step: a delivery that found the asset
    // meanwhile may have recorded it already, and only one of them counts the creation.
    const settled = await noteCreatedAsset(this.deps.kvStore, this.rowKey, mediaId, this.deps);
    this.deps.logger.info(
      `Created Bynder asset ${mediaId} for ${this.deps.key.metaproperty} ${JSON.stringify(this.key.slice(0, 200))}`,
    );
    return { kind: 'created', mediaId, fresh, settled };
  }

  private lost(entry: CreationEntry | undefined): Promise<CreationResult> | CreationResult {
    if (entry) return settledOrWaiting(entry, this.rowKey, this.key, this.deps);
    return { kind: 'waiting', cause: CREATION_HELD_CAUSE };
  }

  private target(): UploadTarget {
    return {
      kind: 'new_asset',
      brandId: this.deps.brandId,
      form: this.form,
    };
  }

  private fileName(): string {
    if (this.file.name) return this.file.name;
    const last = new URL(this.file.url).pathname.split('/').filter(Boolean).at(-1);
    return last ? decodeURIComponent(last) : 'file';
  }

  private upload(): Promise<string> {
    return uploadRecordFile(this.file, this.deps);
  }
}

/**
 * Streams the record's file from its URL into Bynder's upload flow, up to the import (creations and
 * new versions alike); the import id. The file's name is the record's, else the URL's.
 */
export async function uploadRecordFile(
  file: RecordFile,
  deps: Pick<
    CreationDeps,
    'api' | 'logger' | 'clock' | 'deadline' | 'upload' | 'random' | 'maxFileBytes' | 'fileLookup'
  >,
): Promise<string> {
  // The fetch and the S3 chunks hold a stream permit, not a write slot: Bynder requests of other
  // writes go meanwhile, and memory stays at one chunk buffer per permit.
  return streamOutsideWriteSlot(async (inSlot) => {
    const opened = await openFileFromUrl(
      { field: 'file_url', url: file.url },
      {
        maxBytes: deps.maxFileBytes,
        ...(deps.deadline?.signal ? { signal: deps.deadline.signal } : {}),
        ...(deps.fileLookup ? { lookup: deps.fileLookup } : {}),
      },
    );
    const uploaded = await uploadToImport(
      { ...opened, fileName: file.name ?? opened.fileName },
      {
        api: deps.api,
        logger: deps.logger,
        clock: deps.clock,
        inSlot,
        ...(deps.deadline ? { deadline: deps.deadline } : {}),
        ...(deps.upload?.chunkBytes !== undefined ? { chunkBytes: deps.upload.chunkBytes } : {}),
        ...(deps.upload?.lookup ? { lookup: deps.upload.lookup } : {}),
        random: () => deps.random.fraction(),
      },
    );
    return uploaded.importId;
  });
}

/** The one poller of an invocation's uploads (creations and new versions), with the upload tuning. */
export function importPollerFor(deps: Pick<CreationDeps, 'api' | 'clock' | 'upload'>): ImportPoller {
  return new ImportPoller(deps.api, {
    clock: deps.clock,
    ...(deps.upload?.pollIntervalMs !== undefined ? { pollIntervalMs: deps.upload.pollIntervalMs } : {}),
    ...(deps.upload?.maxPolls !== undefined ? { maxPolls: deps.upload.maxPolls } : {}),
  });
}

/** The conversion wait sends nothing: the caller's write slot serves other writes meanwhile. */
export function awaitImportOutsideSlot(poller: ImportPoller): (importId: string) => Promise<ImportOutcome> {
  return (importId) => awaitOutsideWriteSlot(() => poller.wait(importId));
}

/** How long after the end of its holder's time budget a claim still holds (room for the last writes). */
export const CLAIM_MARGIN_MS = 60_000;

/**
 * What the creation steps need, for the configured primary key, or undefined when missing assets are
 * rejected (or the key is not an external key, which parseConfig already refuses with creation on).
 */
export function creatorDepsFor(
  config: { missingAssets: { kind: 'reject' } | { kind: 'create'; brandId: string }; maxFileBytes: number },
  primary: { target: { kind: string; name?: string }; formKey: string | undefined },
  deps: Omit<CreationDeps, 'brandId' | 'key' | 'maxFileBytes' | 'claimUntil'> & { timeBudgetMs: number },
): CreationDeps | undefined {
  const { missingAssets } = config;
  if (missingAssets.kind !== 'create') return undefined;
  const { target, formKey } = primary;
  if (target.kind !== 'metaproperty' || target.name === undefined || formKey === undefined) return undefined;
  return {
    ...deps,
    brandId: missingAssets.brandId,
    key: { metaproperty: target.name, formKey },
    maxFileBytes: config.maxFileBytes,
    claimUntil: () => deps.clock.now() + deps.timeBudgetMs + CLAIM_MARGIN_MS,
    poller: importPollerFor(deps),
  };
}

/**
 * Whether the asset a lookup found for `key` is the end of a creation whose save answer was lost (its
 * row still `saving` or `saved`): then it is recorded as created, and this call alone counts it.
 */
export async function settleFoundCreation(
  key: string,
  mediaId: string,
  deps: CreationDeps,
): Promise<boolean> {
  const rowKey = creationRowKey(deps.key.metaproperty, key);
  const entry = await readCreation(deps.kvStore, rowKey);
  if (entry?.step !== 'saving' && entry?.step !== 'saved') return false;
  return noteCreatedAsset(deps.kvStore, rowKey, mediaId, deps);
}

/**
 * `resolver`, noting which keys a lookup (not the key cache, not a creation of this batch) found the
 * asset of a creation with a lost save answer; `mark` counts their applied outcomes created, whether
 * the record then went out as a modify or was found unchanged.
 */
export function withFoundCreations(
  resolver: AssetResolver,
  settleFound: ((key: string, mediaId: string) => Promise<boolean>) | undefined,
): { resolver: AssetResolver; mark: (outcomes: RecordOutcome[]) => RecordOutcome[] } {
  if (!settleFound) return { resolver, mark: (outcomes) => outcomes };
  const found = new Set<string>();
  const remembered = new Set<string>();
  const noting: AssetResolver = {
    get keyCache() {
      return resolver.keyCache;
    },
    resolve: async (key) => {
      const answer = await resolver.resolve(key);
      if (answer.kind === 'found' && !answer.fromCache && !remembered.has(key) && !found.has(key)) {
        remembered.add(key); // asked once per batch
        if (await settleFound(key, answer.id)) found.add(key);
      }
      return answer;
    },
    forget: (key) => resolver.forget(key),
    remember: (key, id) => {
      remembered.add(key);
      resolver.remember(key, id);
    },
    assetRead: (id) => resolver.assetRead(id),
  };
  const mark = (outcomes: RecordOutcome[]) =>
    outcomes.map((o) =>
      o.status === 'applied' && o.key !== undefined && found.has(o.key)
        ? { ...o, created: true as const }
        : o,
    );
  return { resolver: noting, mark };
}

/**
 * The creator deliver() hands to executePlan (creations that do not fit its budget go to the job),
 * and what settles a creation a lookup found the asset of.
 */
export function creatorFor(...args: Parameters<typeof creatorDepsFor>):
  | {
      create: (write: PlannedWrite) => Promise<CreationResult>;
      settleFound: (key: string, mediaId: string) => Promise<boolean>;
    }
  | undefined {
  const creation = creatorDepsFor(...args);
  return (
    creation && {
      create: (write) => createAsset(write, creation),
      settleFound: (key, mediaId) => settleFoundCreation(key, mediaId, creation),
    }
  );
}
