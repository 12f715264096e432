import type { BynderApi, MediaForm, MediaOptionChange } from '../bynder/bynder-api';
import { parseListChangeKey } from '../fields/list-change-fields';
import { describeConnectionFailure } from '../bynder/connection-failure';
import {
  type BynderError,
  BynderNotFoundError,
  isBynderError,
  RATE_LIMIT_PENDING_CAUSE,
} from '../bynder/errors';
import type { Credentials } from '../config';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import type { AssetResolver } from './asset-resolver';
import type { CreationResult } from './creation';
import type { VersionResult } from './versioning';
import type { BatchStop, RecordOutcome } from './outcome';
import { rejectedOutcome } from './outcome';
import { timeBudgetStop } from '../pacing/deadline';
import { ARCHIVE_FORM, type PlannedWrite } from './plan';
import { splitFileForm } from '../fields/file-fields';
import { blockAfterRateLimit, describeRateLimitBlock, type RateLimitBlock } from '../pacing/rate-limit-block';
import { BudgetHaltedError, type RequestBudget } from '../pacing/request-budget';
import { WriteSlots } from './write-slots';

// Step 5 of deliver(): one request per planned write (plus one lookup per new external key), at most
// `maxInFlight` at a time, each start granted by the request budget (the client awaits it before
// every HTTP attempt, retries included). What a failure means comes from the error itself: a record
// it hits stays pending (`pendingCause`) or, when the data is at fault, is rejected; some failures
// stop the whole batch (its `batchEffect`): a 429 (Bynder blocks for minutes), refused credentials, or
// Bynder failing several requests in a row. A missing role holds back only the writes needing it.

/** After this many writes in a row fail as unavailable (each after the client's own retries), stop. */
export const MAX_CONSECUTIVE_UNAVAILABLE = 5;
/**
 * After this many writes in one batch are answered with something other than Bynder's success
 * answer (a login page, a proxy's page), stop: the portal address most likely does not reach Bynder.
 */
export const MAX_UNCONFIRMED_WRITES = 3;

export const NOT_FOUND_REASON = 'asset not found in Bynder; this destination updates existing assets only';

export interface ExecuteDeps {
  api: BynderApi;
  resolver: AssetResolver;
  budget: RequestBudget;
  /** The rate-limit block the client's guard stored or read (it stores every 429 it sees). */
  blockInForce?: () => RateLimitBlock | undefined;
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  maxInFlight: number;
  /** Portal and credentials, only to word a credentials or permission failure. */
  connection: { portalUrl: string; credentials: Credentials };
  /** Told of every write Bynder accepted, as it is accepted (the ledger's checkpoints). */
  onApplied?: (write: PlannedWrite) => void;
  /** Awaited before a write to the asset `id` is sent (change detection notes the asset as written). */
  beforeSend?: (id: string) => Promise<void>;
  /** The time budget, to word the stop when it runs out. */
  timeBudgetMs?: number;
  /**
   * Creates the asset of an upsert whose key no asset holds ("Records whose asset does not exist" =
   * create; creation.ts). Absent: such a record is rejected.
   */
  create?: (write: PlannedWrite) => Promise<CreationResult>;
  /**
   * Makes a changed file of an upsert a new version of its asset (versioning.ts); `compared`: change
   * detection found the fingerprint different. Absent: files of existing assets are not compared.
   */
  version?: (write: PlannedWrite, id: string, compared: boolean) => Promise<VersionResult>;
}

export interface Execution {
  outcomes: RecordOutcome[];
  /** The writes Bynder accepted in this attempt (the ledger fingerprints them). */
  applied: PlannedWrite[];
  /** Set when sending stopped early for the whole batch. */
  stop?: BatchStop;
}

/** A stop, and why the writes it kept from leaving stay pending. */
type Halt = BatchStop & { pendingCause: string };

export async function executePlan(writes: readonly PlannedWrite[], deps: ExecuteDeps): Promise<Execution> {
  const { api, resolver, budget, clock, logger } = deps;
  const slots = new WriteSlots(deps.maxInFlight);
  const applied: PlannedWrite[] = [];
  let halt: Halt | undefined;
  let unavailableInARow = 0;
  let unconfirmed = 0;
  /** Rights found missing (a 403): the writes needing one stay pending, the others are sent. */
  const withheld = new Map<Right, Halt>();

  const haltOnce = (next: Halt) => {
    halt ??= next;
  };

  /** Sends one write to the asset `id`; a 404 is the caller's to judge. */
  const send = async (write: PlannedWrite, id: string): Promise<void> => {
    if (write.kind === 'upsert') {
      // The record's file is uploaded, never modified: only the other fields go into the modify.
      const { form } = splitFileForm(write.form);
      return Object.keys(form).length === 0 ? undefined : sendUpsert(api, id, form);
    }
    if (write.deleteBy === 'delete') return api.deleteMedia(id);
    return api.updateMedia(id, ARCHIVE_FORM);
  };

  const apply = async (write: PlannedWrite): Promise<RecordOutcome> => {
    const resolved = await resolver.resolve(write.key);
    if (resolved.kind !== 'found') {
      // An external key with no asset: for a delete that is "already gone".
      if (write.kind === 'delete' && resolved.kind === 'missing') return outcome(write, 'applied');
      if (write.kind === 'upsert' && resolved.kind === 'missing' && deps.create) return create(write);
      // No asset holds the key (or several do): Bynder's state, which may change; the outbox keeps
      // the record and its scheduled job tries it again.
      return rejectedOutcome(write, [{ problem: resolved.reason, bynder: 'asset' }]);
    }
    await deps.beforeSend?.(resolved.id);
    let versioned = false;
    let queued = false;
    try {
      if (write.kind === 'upsert' && deps.version && splitFileForm(write.form).file) {
        const made = await deps.version(write, resolved.id, write.fileCompared === true);
        if (made.kind === 'waiting') return pending(write, made.cause);
        if (made.kind === 'rejected') {
          return rejectedOutcome(write, [{ field: 'file_url', problem: made.reason }]);
        }
        versioned = made.kind === 'versioned';
        // The job saves the version; the record's other fields need no upload, so they go now.
        queued = made.kind === 'queued';
      }
      await send(write, resolved.id);
    } catch (error) {
      if (!(error instanceof BynderNotFoundError)) throw error;
      if (write.kind === 'delete') return outcome(write, 'applied'); // already gone: what a delete wants
      if (!resolved.fromCache) {
        return rejectedOutcome(write, [{ problem: NOT_FOUND_REASON, bynder: 'asset' }]);
      }
      resolver.forget(write.key); // the cached asset is gone; look the key up once more
      return apply(write);
    }
    if (queued) return { key: write.key, subject: write.subject, records: write.records, status: 'queued' };
    return { ...outcome(write, 'applied'), ...(versioned ? { versioned: true as const } : {}) };
  };

  /** An upsert whose key no asset holds, with creation on: created, resumed, or known to the ledger. */
  const create = async (write: PlannedWrite): Promise<RecordOutcome> => {
    const made = await deps.create!(write); // the caller checked it is set
    if (made.kind === 'rejected') return rejectedOutcome(write, [{ problem: made.reason }]);
    if (made.kind === 'waiting') return pending(write, made.cause);
    if (made.kind === 'queued') {
      return { key: write.key, subject: write.subject, records: write.records, status: 'queued' };
    }
    resolver.remember(write.key, made.mediaId);
    // A fresh save carried every field; an asset the ledger knew (Bynder's search lagging behind it,
    // or created by an earlier delivery) gets this write's fields as any existing asset does.
    if (!made.fresh) {
      await deps.beforeSend?.(made.mediaId);
      await send(write, made.mediaId);
    }
    // Counted created by the one invocation that recorded the creation's end (a lost save answer
    // included), whether or not its own save carried the fields.
    return { ...outcome(write, 'applied'), ...(made.settled ? { created: true as const } : {}) };
  };

  const onRateLimit = (): void => {
    budget.halt(); // requests waiting for their start are refused, so nothing more goes out
    // The client's rate-limit guard has stored the block already; word the stop with what it holds.
    const block = deps.blockInForce?.() ?? blockAfterRateLimit(clock);
    haltOnce({
      message: describeRateLimitBlock(block),
      retryable: true,
      pendingCause: RATE_LIMIT_PENDING_CAUSE,
      stoppedBy: { kind: 'rate_limit', blockedUntil: block.blockedUntil },
    });
  };

  /** A stop only a settings change clears, worded as the settings form words the failure. */
  const settingsStop = (error: BynderError, kind: 'credentials' | 'permissions'): Halt => ({
    message: describeConnectionFailure(error, deps.connection).message,
    retryable: error.retryable,
    pendingCause: error.pendingCause ?? 'not sent',
    stoppedBy: { kind },
  });

  const onFailure = async (write: PlannedWrite, error: unknown): Promise<RecordOutcome> => {
    // Refused by the halted budget: this write never left.
    if (error instanceof BudgetHaltedError) return pending(write, halt?.pendingCause ?? 'not sent');
    if (!isBynderError(error)) {
      logger.error(`Unexpected failure delivering ${write.subject}; left pending:`, error);
      return pending(write, 'unexpected error');
    }
    switch (error.batchEffect) {
      case 'rate_limit':
        if (!halt) onRateLimit();
        break;
      case 'time_budget':
        haltOnce({ ...timeBudgetStop(deps.timeBudgetMs), pendingCause: error.pendingCause ?? 'not sent' });
        break;
      case 'withhold_operation': {
        // A missing role holds back only the writes that need it (deletes without MEDIAREMOVE,
        // writes of is_public without MARKPUBLIC); the other writes of the batch go on. Bynder's 403
        // does not name the role, so the write's most specific right is taken as the missing one.
        // Only the user can grant it: not retryable.
        const right = missingRightOf(write);
        const why = error.describeConnection(deps.connection).message;
        withheld.set(right, {
          message: right === 'markpublic' ? `${why} ${MARKPUBLIC_NOTE}` : why,
          retryable: false,
          pendingCause: error.pendingCause ?? 'not sent',
          stoppedBy: { kind: 'permissions' },
        });
        break;
      }
      case 'credentials':
        // Refused credentials: a settings problem, not the records'. Only the user can fix it.
        haltOnce(settingsStop(error, 'credentials'));
        break;
      case 'counts_unconfirmed':
        unconfirmed += 1;
        if (unconfirmed >= MAX_UNCONFIRMED_WRITES) {
          haltOnce({
            message: `${deps.connection.portalUrl} answered ${unconfirmed} writes with something other than Bynder's success answer (last: ${error.message}); none of them is counted as applied and the rest was not sent. ${error.fix}`,
            retryable: error.retryable,
            pendingCause: 'not sent: the portal does not confirm writes',
          });
        }
        break;
      case 'counts_unavailable':
        unavailableInARow += 1;
        if (unavailableInARow >= MAX_CONSECUTIVE_UNAVAILABLE) {
          haltOnce({
            message: `Bynder failed ${unavailableInARow} requests in a row (${error.message}); the rest was not sent`,
            retryable: error.retryable,
            pendingCause: 'not sent: Bynder unavailable',
          });
        }
        break;
      case 'none':
        // Bynder refused this write's content (e.g. 400): retrying the same data cannot help.
        if (error.pendingCause === undefined) {
          return rejectedOutcome(write, [{ problem: `Bynder refused the write: ${error.message}` }]);
        }
        logger.error(`Unexpected answer delivering ${write.subject}; left pending:`, error);
        break;
    }
    return pending(write, error.pendingCause ?? 'unexpected error');
  };

  const outcomes = await Promise.all(
    writes.map((write) =>
      slots.run(async (): Promise<RecordOutcome> => {
        if (halt) return pending(write, halt.pendingCause);
        const held = rightsOf(write)
          .map((right) => withheld.get(right))
          .find((halted) => halted !== undefined);
        if (held) return pending(write, held.pendingCause);
        try {
          const result = await apply(write);
          unavailableInARow = 0;
          if (result.status === 'applied') {
            applied.push(write);
            deps.onApplied?.(write);
          }
          return result;
        } catch (error) {
          return onFailure(write, error);
        }
      }),
    ),
  );
  const stopping = halt ?? [...withheld.values()][0];
  const stop: BatchStop | undefined = stopping && {
    message: stopping.message,
    retryable: stopping.retryable,
    ...(stopping.stoppedBy ? { stoppedBy: stopping.stoppedBy } : {}),
  };
  return { outcomes, applied, ...(stop ? { stop } : {}) };
}

/**
 * An upsert: its plain fields in one modify, then each multi-select's add/remove values that change
 * detection could not fold into a whole list (an asset written within the safety window, or no read
 * at all) through Bynder's per-asset option calls, one request each: never a guess at the whole list.
 */
async function sendUpsert(api: BynderApi, id: string, form: MediaForm): Promise<void> {
  const plain: MediaForm = {};
  const changes: MediaOptionChange[] = [];
  for (const [key, value] of Object.entries(form)) {
    const change = parseListChangeKey(key);
    if (!change) plain[key] = value;
    else if (change.formKey.startsWith(METAPROPERTY_FORM_PREFIX) && value !== '') {
      changes.push({
        kind: change.kind,
        mediaId: id,
        metapropertyId: change.formKey.slice(METAPROPERTY_FORM_PREFIX.length),
        optionIds: value.split(','),
      });
    }
    // Tags add/remove never reach here: change detection holds them back until a read can be trusted.
  }
  if (Object.keys(plain).length > 0 || changes.length === 0) await api.updateMedia(id, plain);
  for (const change of changes) await api.changeMediaOptions(change);
}

const METAPROPERTY_FORM_PREFIX = 'metaproperty.';

/**
 * A right a write needs: removing an asset (MEDIAREMOVE), modifying it (MEDIAEDIT: upserts and
 * archiving), or changing whether it is public (MARKPUBLIC, on top of MEDIAEDIT:
 * https://api.bynder.com/reference/post_api-v4-media-id).
 */
type Right = 'remove' | 'modify' | 'markpublic';

const MARKPUBLIC_NOTE =
  'Writes of "is_public" need the MARKPUBLIC role as well; only the records writing it were held back.';

/** Every right a write needs, the most specific last. */
function rightsOf(write: PlannedWrite): Right[] {
  if (write.kind === 'delete' && write.deleteBy === 'delete') return ['remove'];
  return write.kind === 'upsert' && 'isPublic' in write.form ? ['modify', 'markpublic'] : ['modify'];
}

/** The right a 403 on this write is taken to be missing: its most specific one. */
function missingRightOf(write: PlannedWrite): Right {
  return rightsOf(write).at(-1) ?? 'modify';
}

function outcome(write: PlannedWrite, status: 'applied'): RecordOutcome {
  return { key: write.key, subject: write.subject, records: write.records, status };
}

function pending(write: PlannedWrite, cause: string): RecordOutcome {
  return { key: write.key, subject: write.subject, records: write.records, status: 'pending', cause };
}
