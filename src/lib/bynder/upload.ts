import type { LookupFunction } from 'node:net';

import { type Clock, type Logger, systemClock } from '../runtime-ports';
import type { RequestDeadline } from './client-options';
import {
  DEFAULT_MAX_POLLS,
  DEFAULT_POLL_INTERVAL_MS,
  IMPORTS_PER_POLL,
  MAX_EARLY_SAVES,
  MAX_UPLOAD_CHUNKS,
} from './constants';
import { BynderError, BynderUploadError } from './errors';
import {
  describeRoute,
  LIST_BRANDS_ROUTE,
  POLL_IMPORTS_ROUTE,
  SAVE_NEW_ASSET_ROUTE,
  SAVE_NEW_VERSION_ROUTE,
} from './routes';
import { S3ChunkSender } from './s3-chunk-sender';
import { chooseChunkBytes, peekFirstBytes, readChunks } from './upload-chunks';
import type {
  Brand,
  BynderUploadApi,
  SaveAnswer,
  UploadFile,
  UploadResult,
  UploadTarget,
} from './upload-types';

// Bynder's S3-chunk upload flow, end to end (https://api.bynder.com/reference, "Upload assets"):
// brand (for a new asset without one) → endpoint → init → per chunk: POST to S3, then register →
// finalise → poll until converted → save as a new asset (every field in the save itself) or as a
// new version. The Bynder steps go through `api` (the paced BynderClient: request budget, rate-limit
// guard, retries, error classes); the S3 chunks through S3ChunkSender (not Bynder requests: see there).

export interface UploadDeps {
  api: BynderUploadApi;
  logger: Logger;
  clock?: Clock;
  /** Pause before each poll (default 2 s). */
  pollIntervalMs?: number;
  /** Polls before an import still converting is given up (default 60). */
  maxPolls?: number;
  /** At most this many bytes a chunk (default and ceiling 5 MiB; the init's policy may cap it lower). */
  chunkBytes?: number;
  /** For the S3 requests: the same time budget as the Bynder client's, idle timeout, retries. */
  deadline?: RequestDeadline;
  s3TimeoutMs?: number;
  s3Retries?: number;
  random?: () => number;
  /** Resolver for the S3 bucket's host (tests stub it); its answer passes the address guard. */
  lookup?: LookupFunction;
  /**
   * Runs each Bynder request of the upload (endpoint, init, chunk registrations, finalise). A caller
   * that streams the file outside its write slot takes a slot back here, for the request only: the
   * chunks' reads and S3 POSTs send no Bynder request (src/lib/delivery/write-slots.ts).
   */
  inSlot?: <R>(request: () => Promise<R>) => Promise<R>;
}

/** How an import ended after polling: converted, failed or rejected by Bynder, or still converting. */
export type ImportOutcome = 'done' | 'failed' | 'rejected' | 'converting';

/**
 * Polls the imports until each is done, failed or rejected, or `maxPolls` rounds have passed, a
 * pause before each round. Up to 100 imports go in one poll request (`?items=a,b,...`), so a batch
 * of uploads costs one request a round, not one per file.
 */
export async function awaitImports(
  api: Pick<BynderUploadApi, 'pollImports'>,
  importIds: readonly string[],
  options: { clock?: Clock; pollIntervalMs?: number; maxPolls?: number } = {},
): Promise<Map<string, ImportOutcome>> {
  const clock = options.clock ?? systemClock;
  const outcomes = new Map<string, ImportOutcome>(importIds.map((id) => [id, 'converting']));
  const maxPolls = options.maxPolls ?? DEFAULT_MAX_POLLS;
  for (let round = 0; round < maxPolls; round += 1) {
    const waiting = [...outcomes].filter(([, outcome]) => outcome === 'converting').map(([id]) => id);
    if (waiting.length === 0) break;
    await clock.sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    for (let start = 0; start < waiting.length; start += IMPORTS_PER_POLL) {
      const answer = await api.pollImports(waiting.slice(start, start + IMPORTS_PER_POLL));
      for (const id of answer.done) if (outcomes.has(id)) outcomes.set(id, 'done');
      for (const id of answer.failed) if (outcomes.has(id)) outcomes.set(id, 'failed');
      for (const id of answer.rejected) if (outcomes.has(id)) outcomes.set(id, 'rejected');
    }
  }
  return outcomes;
}

/** Thrown when a new asset names no brand and the portal has not exactly one. */
export class BynderBrandNotChosenError extends BynderError {
  public override name = 'BynderBrandNotChosenError';
  public readonly retryable = false;
  public override readonly pendingCause = 'not sent: no brand chosen';
  // Every new asset of the batch would fail alike; updates of existing assets need no brand.
  public override readonly batchEffect = 'withhold_operation';
  public override readonly fix: string;
  public constructor(brands: readonly Brand[]) {
    const names = brands
      .slice(0, 5)
      .map((brand) => `"${brand.name}" (${brand.id})`)
      .join(', ');
    super(
      brands.length === 0
        ? `Bynder ${describeRoute(LIST_BRANDS_ROUTE)} lists no brand, and a new asset must be saved into one`
        : `Bynder ${describeRoute(LIST_BRANDS_ROUTE)} lists ${brands.length} brands (${names}${brands.length > 5 ? ', ...' : ''}), so the brand of a new asset must be chosen`,
    );
    this.fix =
      brands.length === 0
        ? 'Create a brand in Bynder, or give the brand id of an existing one, then try again.'
        : 'Give the brand id the new assets go into, then try again.';
  }
}

/** The brand a new asset goes into: the one given, or the portal's only brand. */
async function resolveBrand(api: BynderUploadApi, brandId: string | undefined): Promise<string> {
  if (brandId !== undefined && brandId !== '') return brandId;
  const brands = await api.listBrands();
  const [only] = brands;
  if (brands.length === 1 && only !== undefined) return only.id;
  throw new BynderBrandNotChosenError(brands);
}

/**
 * Uploads `file` and saves it as `target` says. The file is read once, chunk by chunk as it
 * arrives, one chunk buffer at a time (upload-chunks.ts), so memory stays flat whatever its size.
 * Nothing is sent for an empty file, and for a new asset without a brand nothing is uploaded until
 * the brand is known. Each Bynder request retries what the client retries (5xx, timeouts, resets);
 * a save answered 303 "Import not converted yet" waits for another round of polls and saves again,
 * at most MAX_EARLY_SAVES times.
 */
export async function uploadFile(
  file: UploadFile,
  target: UploadTarget,
  deps: UploadDeps,
): Promise<UploadResult> {
  // Without a brand nothing is uploaded: resolved first, so a portal with several fails at once.
  const brandId = target.kind === 'new_asset' ? await resolveBrand(deps.api, target.brandId) : undefined;
  const uploaded = await uploadToImport(file, deps);
  const resolved: UploadTarget =
    target.kind === 'new_asset' && brandId !== undefined ? { ...target, brandId } : target;
  const mediaId = await saveImport(uploaded.importId, resolved, { ...deps, fileName: file.fileName });
  return { mediaId, ...uploaded };
}

/** The name comes with the record: quoted, and cut, wherever a message shows it. */
function quoteFileName(fileName: string): string {
  return JSON.stringify(fileName.length > 200 ? `${fileName.slice(0, 200)}…` : fileName);
}

/** What the upload's part before the save left: the import Bynder converts, and what was sent. */
export type UploadedImport = Omit<UploadResult, 'mediaId'>;

/**
 * The upload up to and including the finalise: endpoint, init, every chunk (S3, then registered),
 * finalise. Nothing of it creates an asset: an upload abandoned here is never saved, so starting
 * over costs requests, not a second asset. Answers the import the save (saveImport) turns into one.
 */
export async function uploadToImport(file: UploadFile, deps: UploadDeps): Promise<UploadedImport> {
  const { empty, body } = await peekFirstBytes(file.body);
  try {
    return await uploadPeeked(file, empty, body, deps);
  } finally {
    // Read to its end, or given up (a request failed before the chunks, or between them): either
    // way the source is closed now, not when its own timers or the time budget end it.
    await body.return?.().catch(() => undefined);
  }
}

async function uploadPeeked(
  file: UploadFile,
  empty: boolean,
  body: AsyncIterable<Uint8Array>,
  deps: UploadDeps,
): Promise<UploadedImport> {
  const { api, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const named = quoteFileName(file.fileName);
  if (empty) {
    throw new BynderUploadError(
      'the file',
      `${named} is empty (nothing was sent); Bynder cannot keep an asset without content`,
      { fileAtFault: true },
    );
  }
  const inSlot = deps.inSlot ?? (<R>(request: () => Promise<R>) => request());
  const endpoint = await inSlot(() => api.getUploadEndpoint());
  const s3 = new S3ChunkSender(endpoint, {
    logger,
    clock,
    ...(deps.s3TimeoutMs !== undefined ? { timeoutMs: deps.s3TimeoutMs } : {}),
    ...(deps.s3Retries !== undefined ? { retries: deps.s3Retries } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.deadline ? { deadline: deps.deadline } : {}),
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  const init = await inSlot(() => api.initUpload(file.fileName));
  const chunkBytes = chooseChunkBytes(init.multipartParams.Policy, deps.chunkBytes);
  const totalChunks =
    file.size !== undefined && file.size > 0 ? Math.ceil(file.size / chunkBytes) : undefined;

  let chunks = 0;
  let bytes = 0;
  // A chunk's registration needs no bytes: it runs while the next chunk is read and sent to S3, so
  // the upload waits for the slower of the two, not for both. Registrations stay in order, at most
  // one outstanding; and none is left running when the upload ends, however it ends.
  let registering: Promise<void> | undefined;
  try {
    for await (const chunk of readChunks(body, chunkBytes)) {
      chunks += 1;
      if (chunks > MAX_UPLOAD_CHUNKS) {
        throw new BynderUploadError(
          'the file',
          `${named} needs more than ${MAX_UPLOAD_CHUNKS} chunks of ${chunkBytes} bytes, the most S3 takes`,
          { fileAtFault: true },
        );
      }
      bytes += chunk.length;
      await s3.send({
        init,
        chunkNumber: chunks,
        bytes: chunk,
        ...(totalChunks !== undefined && totalChunks >= chunks ? { chunks: totalChunks } : {}),
        ...(file.contentType !== undefined ? { contentType: file.contentType } : {}),
      });
      // The chunk is in S3 (its buffer may be refilled now); the one before it is registered first.
      await registering;
      const registered = chunks;
      registering = inSlot(() => api.registerChunk(init, registered));
      // Awaited (and thrown) at the next chunk or below; until then it must not count as unhandled.
      registering.catch(() => undefined);
    }
    await registering;
  } catch (error) {
    // A registration still in flight ends before the upload reports its failure (its own is moot).
    await registering?.catch(() => undefined);
    throw error;
  }
  const { importId } = await inSlot(() => api.finaliseUpload(init, chunks, file.fileName));
  logger.debug(`Bynder upload of ${bytes} bytes in ${chunks} chunk(s) finalised; converting`);
  return { importId, bytes, chunks, s3Requests: s3.requests };
}

/**
 * Waits for `importId` to convert, then saves it as `target` says and answers the asset's id. The
 * save is the one step that creates something: a save whose answer was lost is not sent again here
 * (the client never repeats it); the caller decides (see src/lib/delivery/creation.ts).
 */
export async function saveImport(
  importId: string,
  target: UploadTarget,
  deps: Pick<UploadDeps, 'api' | 'logger' | 'clock' | 'pollIntervalMs' | 'maxPolls'> & {
    fileName: string;
    /**
     * How the import's conversion is awaited: by default polled alone; a creation shares its
     * invocation's ImportPoller (several imports a request) and waits outside its write slot.
     */
    awaitImport?: (importId: string) => Promise<ImportOutcome>;
    /** Awaited before each save request is sent (the creation ledger notes it). */
    beforeSave?: () => Promise<void>;
  },
): Promise<string> {
  const { api, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const named = quoteFileName(deps.fileName);
  const brandId = target.kind === 'new_asset' ? await resolveBrand(api, target.brandId) : undefined;
  const save = async (): Promise<SaveAnswer> => {
    await deps.beforeSave?.();
    return target.kind === 'new_version'
      ? api.saveAsNewVersion(target.mediaId, importId)
      : api.saveAsNewAsset(importId, {
          ...target.form,
          brandId: brandId ?? '',
          ...(target.audit === true ? { audit: 'true' } : {}),
        });
  };
  const saveRoute = describeRoute(
    target.kind === 'new_version' ? SAVE_NEW_VERSION_ROUTE : SAVE_NEW_ASSET_ROUTE,
  );
  const polling = {
    clock,
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.maxPolls !== undefined ? { maxPolls: deps.maxPolls } : {}),
  };

  for (let saves = 0; ;) {
    const outcome = deps.awaitImport
      ? await deps.awaitImport(importId)
      : (await awaitImports(api, [importId], polling)).get(importId);
    if (outcome === 'failed' || outcome === 'rejected') {
      throw new BynderUploadError(
        describeRoute(POLL_IMPORTS_ROUTE),
        `Bynder ${outcome === 'failed' ? 'could not convert' : 'rejected'} ${named} (import ${importId})`,
        { fileAtFault: true },
      );
    }
    if (outcome === 'converting') {
      throw new BynderUploadError(
        describeRoute(POLL_IMPORTS_ROUTE),
        `${named} (import ${importId}) was still converting after ${polling.maxPolls ?? DEFAULT_MAX_POLLS} polls`,
        { fileAtFault: false },
      );
    }
    const answer = await save();
    saves += 1;
    if (answer.kind === 'saved') return answer.mediaId;
    // 303 "Import not converted yet, please poll": the poll ran ahead of the save's view of it.
    if (saves >= MAX_EARLY_SAVES) {
      throw new BynderUploadError(
        saveRoute,
        `answered 303 "Import not converted yet" ${saves} times for import ${importId}, though the poll lists it as converted`,
        { fileAtFault: false },
      );
    }
    logger.warn(`Bynder ${saveRoute} answered 303 "Import not converted yet"; polling again`);
  }
}
