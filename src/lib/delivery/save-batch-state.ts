import { asksForRetry, redeliveryAfter } from '../delivery-attempt';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { appendRejections, logUnstoredRejections } from '../state/rejection-log';
import { type KeyCache, saveKeyCache } from './key-cache';
import type { BatchStop, RecordOutcome, RejectedOutcome } from './outcome';
import { toLoggedRejection } from './outcome';

// Step 6 of deliver(): what it keeps between invocations, all in the install's kvStore (rows listed
// in src/lib/state/kv-rows.ts):
// - the applied ledger (state/ledger.ts): while OCP may retry a batch, the fingerprints of the
//   writes its attempts applied (checkpointed during execution), so the retry sends only the rest;
// - the rejection log (state/rejection-log.ts): the latest rejected records (key, field, reason),
//   for the CLI and support;
// - the external-key cache (key-cache.ts): record key → asset id answers, because a lookup costs
//   rate-limit budget.
// At most one read of each per batch, and at most three writes after it (plus the ledger's
// checkpoints, state/checkpoint.ts). A failed write is logged, not fatal: the batch's outcome
// stands (a lost ledger costs re-sends, a lost cache lookups).

/**
 * Writes what must outlive this invocation: the ledger (kept only when the batch may be delivered
 * again: something pending and the answer retryable; otherwise it is done and the row deleted), the
 * rejection log (only when something was rejected) and the key cache (only when it changed). At most
 * three kvStore writes, side by side.
 */
export async function saveBatchState(
  outcomes: readonly RecordOutcome[],
  state: {
    /** The batch's checkpoint (startCheckpoint): closing it is all this needs. */
    checkpoint: { close: (keep: boolean) => Promise<void> };
    stop: BatchStop | undefined;
    keyCache: KeyCache | undefined;
    syncName: string;
    attempt: number;
  },
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger },
): Promise<void> {
  const { kvStore, clock, logger } = deps;
  const rejected = outcomes
    .filter((o): o is RejectedOutcome => o.status === 'rejected')
    .map(toLoggedRejection);
  const writes: Array<[string, Promise<void>]> = [];
  if (state.keyCache) writes.push(['external key cache', saveKeyCache(kvStore, state.keyCache)]);
  const pending = outcomes.some((o) => o.status === 'pending');
  const again = redeliveryAfter(state, asksForRetry(pending, state.stop)) !== 'none';
  writes.push(['applied ledger', state.checkpoint.close(again)]);
  if (rejected.length > 0) {
    writes.push(['rejection log', appendRejections(kvStore, rejected, { syncName: state.syncName, clock })]);
  }
  const results = await Promise.allSettled(writes.map(([, write]) => write));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      const what = writes[i]?.[0] ?? 'delivery record';
      logger.error(`Could not store the ${what}:`, result.reason);
      if (what === 'rejection log') {
        logUnstoredRejections(logger, rejected, { syncName: state.syncName, clock });
      }
    }
  });
}
