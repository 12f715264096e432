import pLimit from 'p-limit';

import type { BynderApi } from '../bynder/bynder-api';
import {
  BynderApiError,
  BynderAuthError,
  BynderNotFoundError,
  BynderPermissionError,
  BynderRateLimitError,
  BynderUnavailableError,
} from '../bynder/errors';
import type { Credentials, WritePolicy } from '../config';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { describeConnectionFailure } from '../settings/connection-failure';
import type { AssetResolver } from './asset-resolver';
import type { DeliveryStop } from './outcome';
import type { PlannedWrite } from './plan';
import { blockAfterRateLimit, describeRateLimitBlock, storeRateLimitBlock } from './rate-limit-block';
import { BudgetHaltedError, type RequestBudget } from './request-budget';
import type { Settlement } from './settlement';

// Step 4 of deliver(): one request per planned write (plus one lookup per new external key), at most
// `maxInFlight` at a time, each start granted by the request budget (the client awaits it before
// every HTTP attempt, retries included). Transient failures end pending; data failures rejected.
// Some failures stop the whole batch at once: a 429 (Bynder blocks for minutes), refused credentials
// or a missing role (config problems), or Bynder failing several requests in a row.

/** After this many writes in a row fail as unavailable (each after the client's own retries), stop. */
export const MAX_CONSECUTIVE_UNAVAILABLE = 5;

const ARCHIVE_FORM = { archive: 'true' } as const;
const NOT_FOUND_REASON = 'asset not found in Bynder; this destination updates existing assets only';

export interface ExecuteDeps {
  api: BynderApi;
  resolver: AssetResolver;
  budget: RequestBudget;
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  maxInFlight: number;
  deletePolicy: WritePolicy['deletePolicy'];
  /** Portal and credentials, only to word a credentials or permission failure. */
  connection: { portalUrl: string; credentials: Credentials };
}

export interface Execution {
  settlements: Settlement[];
  /** Ledger fingerprints of the writes applied by this attempt. */
  appliedHashes: string[];
  /** Set when sending stopped early for the whole batch. */
  stop?: DeliveryStop;
  /** Whether a 429 was answered (and "blocked until" stored). */
  rateLimited: boolean;
}

interface Halt {
  stop: DeliveryStop;
  /** The pending cause for writes that were not sent because of it. */
  cause: string;
}

export async function executePlan(writes: readonly PlannedWrite[], deps: ExecuteDeps): Promise<Execution> {
  const { api, resolver, budget, kvStore, clock, logger, deletePolicy } = deps;
  const limit = pLimit(deps.maxInFlight);
  const appliedWrites: PlannedWrite[] = [];
  let halt: Halt | undefined;
  let rateLimited = false;
  let unavailableInARow = 0;

  const haltOnce = (next: Halt) => {
    halt ??= next;
  };

  /** Sends one write to the asset `id`; a 404 on an upsert is the caller's to judge. */
  const send = async (write: PlannedWrite, id: string): Promise<void> => {
    if (write.kind === 'upsert') return api.updateMedia(id, write.form);
    try {
      // deleteMedia answers 'not_found' for an asset already gone: done as well.
      await (deletePolicy === 'delete' ? api.deleteMedia(id) : api.updateMedia(id, ARCHIVE_FORM));
    } catch (error) {
      if (!(error instanceof BynderNotFoundError)) throw error; // already gone: that is what a delete wants
    }
  };

  const apply = async (write: PlannedWrite): Promise<Settlement> => {
    const resolved = await resolver.resolve(write.key);
    if (!resolved.ok) {
      // An external key with no asset: for a delete that is "already gone".
      if (write.kind === 'delete' && resolved.missing) return settle(write, 'applied');
      return { ...settleBase(write), status: 'rejected', reason: resolved.reason };
    }
    try {
      await send(write, resolved.id);
    } catch (error) {
      if (!(error instanceof BynderNotFoundError)) throw error;
      if (!resolved.fromCache) return { ...settleBase(write), status: 'rejected', reason: NOT_FOUND_REASON };
      resolver.forget(write.key); // the cached asset is gone; look the key up once more
      return apply(write);
    }
    return settle(write, 'applied');
  };

  const onFailure = async (write: PlannedWrite, error: unknown): Promise<Settlement> => {
    // Refused by the halted budget: this write never left.
    if (error instanceof BudgetHaltedError) return pending(write, halt?.cause ?? 'not sent');
    if (error instanceof BynderRateLimitError) {
      if (rateLimited) return pending(write, 'rate limited by Bynder'); // the block is stored already
      rateLimited = true;
      budget.halt(); // requests waiting for their start are refused, so nothing more goes out
      const block = blockAfterRateLimit(clock);
      haltOnce({
        stop: { message: describeRateLimitBlock(block), retryable: true },
        cause: 'not sent: Bynder rate limit',
      });
      try {
        await storeRateLimitBlock(kvStore, block, clock);
      } catch (storeError) {
        logger.error(
          'Could not store the Bynder rate-limit block; other invocations may hit the limit too:',
          storeError,
        );
      }
      return pending(write, 'rate limited by Bynder');
    }
    if (error instanceof BynderAuthError || error instanceof BynderPermissionError) {
      // A settings problem, not the records': they stay pending (not rejected), and only the user can fix it.
      const cause =
        error instanceof BynderAuthError ? 'not sent: credentials refused' : 'not sent: permission missing';
      haltOnce({
        stop: { message: describeConnectionFailure(error, deps.connection).message, retryable: false },
        cause,
      });
      return pending(write, cause);
    }
    if (error instanceof BynderUnavailableError) {
      unavailableInARow += 1;
      if (unavailableInARow >= MAX_CONSECUTIVE_UNAVAILABLE) {
        haltOnce({
          stop: {
            message: `Bynder failed ${unavailableInARow} requests in a row (${error.message}); the rest was not sent`,
            retryable: true,
          },
          cause: 'not sent: Bynder unavailable',
        });
      }
      return pending(write, 'Bynder unavailable');
    }
    if (error instanceof BynderApiError && !error.retryable) {
      // Bynder refused this write's content (e.g. 400): retrying the same data cannot help.
      return {
        ...settleBase(write),
        status: 'rejected',
        reason: `Bynder refused the write: ${error.message}`,
      };
    }
    logger.error(`Unexpected failure delivering ${write.subject}; left pending:`, error);
    return pending(write, 'unexpected error');
  };

  const settlements = await Promise.all(
    writes.map((write) =>
      limit(async (): Promise<Settlement> => {
        if (halt) return pending(write, halt.cause);
        try {
          const settlement = await apply(write);
          unavailableInARow = 0;
          if (settlement.status === 'applied') appliedWrites.push(write);
          return settlement;
        } catch (error) {
          return onFailure(write, error);
        }
      }),
    ),
  );
  return {
    settlements,
    // Computed on read: fingerprints are only needed when the ledger is written.
    get appliedHashes() {
      return appliedWrites.map((write) => write.hash);
    },
    rateLimited,
    ...(halt ? { stop: halt.stop } : {}),
  };
}

function settleBase(write: PlannedWrite) {
  return { key: write.key, subject: write.subject, records: write.records };
}

function settle(write: PlannedWrite, status: 'applied'): Settlement {
  return { ...settleBase(write), status };
}

function pending(write: PlannedWrite, cause: string): Settlement {
  return { ...settleBase(write), status: 'pending', cause };
}
