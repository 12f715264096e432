import { type DeliveryDeps, deliverBatch, failedDelivery } from './deliver-batch';
import type { DeliverResult } from './outcome';
import { DELIVERY_TIME_BUDGET_MS } from '../pacing/deadline';
import { parkedCount, readOutboxHead, replayOutbox } from '../state/outbox';

/** What a run of the outbox did, for whoever started it to report (the scheduled job). */
export interface ParkedDelivery {
  /** Records the run claimed and tried, as one batch. */
  tried: number;
  /** deliver()'s answer for them; a failure that escaped its steps is in here too (`success: false`). */
  result: DeliverResult;
  /** Records the outbox holds after the run. */
  remaining: number;
}

/**
 * Delivers the outbox's parked records now, through deliver()'s own steps (nothing is sent while a
 * rate-limit block is stored), in a time budget of its own. For the scheduled job; undefined when
 * nothing is parked.
 */
export async function deliverParked(deps: DeliveryDeps): Promise<ParkedDelivery | undefined> {
  const timeBudgetMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  const replay = await replayOutbox(undefined, { ...deps, timeBudgetMs }, (batch) =>
    // A failure before the records were settled (settings unreadable, the store down) is an answer
    // like any other: redacted, logged once, and reported by the caller instead of swallowed.
    deliverBatch(batch, deps).catch((error: unknown) => failedDelivery(error, batch, deps)),
  );
  if (!replay?.result) return undefined;
  return {
    tried: replay.parked,
    result: replay.result,
    remaining: parkedCount(await readOutboxHead(deps.kvStore)),
  };
}
