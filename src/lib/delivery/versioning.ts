import type { Media } from '../bynder/api-types';
import { BynderNotFoundError, BynderUploadError } from '../bynder/errors';
import { saveImport } from '../bynder/upload';
import { type RecordFile, splitFileForm } from '../fields/file-fields';
import { holdsKey } from '../fields/key-text';
import { FileRefusedError } from '../files/errors';
import {
  advanceCreation,
  claimCreation,
  type CreationEntry,
  fileFingerprint,
  readCreation,
  versionRowKey,
} from '../state/creation-ledger';
import type { FieldModel } from '../fields/field';
import type { Logger } from '../runtime-ports';
import {
  awaitImportOutsideSlot,
  CLAIM_MARGIN_MS,
  type CreationDeps,
  handOverToJob,
  importPollerFor,
  MIN_CREATION_WINDOW_MS,
  ranOutOfTime,
  uploadRecordFile,
} from './creation';
import type { PlannedWrite } from './plan';

// New versions: when a record's file (file_url and file_version) differs from what its asset was
// created or last versioned from, the file becomes a new version of the asset
// (`POST /api/v4/media/{id}/save/{importId}/`), exactly once, through the same ledger as creations (a
// version row per asset, src/lib/state/creation-ledger.ts). What the asset's file came from lives in
// Bynder itself: a text metaproperty chosen in settings holds the file's fingerprint, written in a
// creation's save and, after a new version, by a follow-up modify the ledger covers (its `saved`
// step). So the state grows with Bynder, not with the kvStore, and change detection's bulk read sees
// the fingerprint with the rest of the asset, at no request per record.

/** Why a record waits while another invocation versions its asset. */
export const VERSION_HELD_CAUSE = 'waiting: another invocation is saving a new version of this asset';

export type VersionResult =
  | { kind: 'versioned' }
  /** The asset's file is this file already (or its version is saved): nothing to upload. */
  | { kind: 'same' }
  | { kind: 'waiting'; cause: string }
  | { kind: 'rejected'; reason: string }
  /** Durably claimed and handed to the creation job, which saves it and reports its end. */
  | { kind: 'queued' };

export interface VersionDeps extends Omit<CreationDeps, 'brandId' | 'key'> {
  /** The fingerprint metaproperty: its Bynder name (read) and form key (written). */
  fingerprint: { metaproperty: string; formKey: string };
  /** The asset as this batch read it, if it did (change detection, the key lookups). */
  assetRead: (id: string) => Media | undefined;
}

/** Whether `asset` says its file came from `file`. */
export function holdsFingerprint(asset: Media, metaproperty: string, fingerprint: string): boolean {
  return holdsKey(asset[`property_${metaproperty}`], fingerprint);
}

/**
 * Makes the record's file a new version of the asset `mediaId` when its fingerprint differs from the
 * one the asset holds, exactly once per file. `compared`: change detection read the asset and found
 * the fingerprint different (no read needed); otherwise the asset is read (one request) unless this
 * batch read it already.
 */
export async function versionAsset(
  write: PlannedWrite,
  mediaId: string,
  deps: VersionDeps,
  compared: boolean,
): Promise<VersionResult> {
  const { file } = splitFileForm(write.form);
  if (!file) return { kind: 'same' };
  const fingerprint = fileFingerprint(file);
  const rowKey = versionRowKey(mediaId);
  const known = await readCreation(deps.kvStore, rowKey);
  // Versioned from this file already: Bynder may not show the fingerprint's modify yet.
  if (known?.file === fingerprint && (known.step === 'created' || known.step === 'failed')) {
    return known.step === 'failed'
      ? { kind: 'rejected', reason: known.reason ?? 'the new version failed' }
      : { kind: 'same' };
  }
  // In the job's hands already: it saves the version and reports its end; a newer file of the
  // record claims the row afresh once that one is settled.
  if (deps.queue && known?.queued && known.step !== 'created' && known.step !== 'failed') {
    return { kind: 'queued' };
  }
  if (!compared && !known) {
    const asset = deps.assetRead(mediaId) ?? (await deps.api.getMedia(mediaId));
    if (holdsFingerprint(asset, deps.fingerprint.metaproperty, fingerprint)) return { kind: 'same' };
  }
  const holder = deps.random.id();
  const claim = await claimCreation(
    deps.kvStore,
    rowKey,
    {
      key: mediaId,
      file: fingerprint,
      sync: deps.sync,
      until: deps.claimUntil(),
      holder,
      // What the job needs to go on without the record: the file (a version's save sends no form).
      source: { ...file, form: {} },
    },
    deps,
    'version',
  );
  const entry = claim.entry;
  if (!claim.held || !entry) {
    if (entry?.file === fingerprint && entry.step === 'created') return { kind: 'same' };
    if (entry?.file === fingerprint && entry.step === 'failed') {
      return { kind: 'rejected', reason: entry.reason ?? 'the new version failed' };
    }
    return { kind: 'waiting', cause: VERSION_HELD_CAUSE };
  }
  const version = new Version(rowKey, holder, mediaId, file, fingerprint, deps);
  const queue = deps.queue;
  const handOver = (q: { trigger: () => Promise<void> }) =>
    handOverToJob(
      (change) => version.advance(change),
      rowKey,
      deps,
      q,
      (): VersionResult => ({
        kind: 'waiting',
        cause: VERSION_HELD_CAUSE,
      }),
    );
  // Too little of the time budget left to start an upload: the job goes on with it, as a creation.
  if (queue && entry.source && deps.deadline && !deps.deadline.allowsStart(MIN_CREATION_WINDOW_MS)) {
    return handOver(queue);
  }
  try {
    return await version.run(entry);
  } catch (error) {
    if (error instanceof FileRefusedError || (error instanceof BynderUploadError && !error.retryable)) {
      const reason = error.message;
      await version.advance({ step: 'failed', reason });
      return { kind: 'rejected', reason };
    }
    if (queue && entry.source && ranOutOfTime(error, deps)) return handOver(queue);
    await version.advance({ until: deps.clock.now() }).catch(() => undefined);
    throw error;
  }
}

const CLAIM_LOST = new Error('the version claim was taken over');

class Version {
  public constructor(
    private readonly rowKey: string,
    private readonly holder: string,
    private readonly mediaId: string,
    private readonly file: RecordFile,
    private readonly fingerprint: string,
    private readonly deps: VersionDeps,
  ) {}

  public advance(change: Parameters<typeof advanceCreation>[3]) {
    return advanceCreation(this.deps.kvStore, this.rowKey, this.holder, change, this.deps, 'version');
  }

  public async run(start: CreationEntry): Promise<VersionResult> {
    let entry = start;
    for (;;) {
      switch (entry.step) {
        case 'uploading': {
          const importId = await this.upload();
          const moved = await this.advance({ step: 'uploaded', importId });
          if (!moved.applied || !moved.entry) return { kind: 'waiting', cause: VERSION_HELD_CAUSE };
          entry = moved.entry;
          break;
        }
        case 'uploaded':
        case 'saving': {
          try {
            await saveImport(
              entry.importId ?? '',
              { kind: 'new_version', mediaId: this.mediaId },
              {
                ...this.deps,
                ...this.deps.upload,
                fileName: this.file.name ?? 'file',
                ...(this.deps.poller ? { awaitImport: awaitImportOutsideSlot(this.deps.poller) } : {}),
                beforeSave: async () => {
                  const marked = await this.advance({ step: 'saving' });
                  if (!marked.applied) throw CLAIM_LOST;
                },
              },
            );
          } catch (error) {
            if (error === CLAIM_LOST) return { kind: 'waiting', cause: VERSION_HELD_CAUSE };
            // The import is gone: an earlier save of it (whose answer was lost) made the version.
            if (!(error instanceof BynderNotFoundError && entry.step === 'saving')) throw error;
          }
          const moved = await this.advance({ step: 'saved' });
          if (!moved.applied || !moved.entry) return { kind: 'waiting', cause: VERSION_HELD_CAUSE };
          entry = moved.entry;
          break;
        }
        case 'saved': {
          // The follow-up modify: the asset now says which file it came from.
          await this.deps.api.updateMedia(this.mediaId, {
            [this.deps.fingerprint.formKey]: this.fingerprint,
          });
          await this.advance({ step: 'created', mediaId: this.mediaId });
          this.deps.logger.info(`Saved a new version of Bynder asset ${this.mediaId}`);
          return { kind: 'versioned' };
        }
        default:
          return { kind: 'same' };
      }
    }
  }

  private upload(): Promise<string> {
    return uploadRecordFile(this.file, this.deps);
  }
}

/**
 * The fingerprint metaproperty of the settings in the field model, or undefined when new versions
 * are off. One that the model lacks (deleted, renamed, not text) is logged and versions stay off.
 */
export function fingerprintField(
  model: FieldModel,
  name: string | undefined,
  logger: Logger,
): { metaproperty: string; formKey: string } | undefined {
  if (name === undefined) return undefined;
  const field = model.fields.find(
    (candidate) => candidate.target.kind === 'metaproperty' && candidate.target.name === name,
  );
  if (field?.target.kind !== 'metaproperty' || field.formKey === undefined || field.target.type !== 'text') {
    logger.warn(
      `File fingerprint metaproperty "${name}" is not an editable text metaproperty in Bynder; new versions are off until it is (Records settings)`,
    );
    return undefined;
  }
  return { metaproperty: name, formKey: field.formKey };
}

/** What the version steps need, or undefined when new versions are off. */
export function versionDepsFor(
  config: { maxFileBytes: number },
  fingerprint: { metaproperty: string; formKey: string } | undefined,
  deps: Omit<VersionDeps, 'fingerprint' | 'maxFileBytes' | 'claimUntil'> & { timeBudgetMs: number },
): VersionDeps | undefined {
  if (!fingerprint) return undefined;
  return {
    ...deps,
    fingerprint,
    maxFileBytes: config.maxFileBytes,
    claimUntil: () => deps.clock.now() + deps.timeBudgetMs + CLAIM_MARGIN_MS,
    poller: deps.poller ?? importPollerFor(deps),
  };
}

/** What deliver() hands executePlan for new versions, or undefined when they are off. */
export function versionerFor(
  ...args: Parameters<typeof versionDepsFor>
): ((write: PlannedWrite, id: string, compared: boolean) => Promise<VersionResult>) | undefined {
  const versionDeps = versionDepsFor(...args);
  return versionDeps && ((write, id, compared) => versionAsset(write, id, versionDeps, compared));
}
