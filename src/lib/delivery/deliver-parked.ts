import { type DeliveryDeps, deliverBatch } from './deliver-batch';
import type { DeliverResult } from './outcome';
import { replayOutbox } from '../state/outbox';
import { DELIVERY_TIME_BUDGET_MS } from '../pacing/deadline';

/**
 * Delivers the outbox's parked records now, through deliver()'s own steps (nothing is sent while a
 * rate-limit block is stored). For the scheduled job and for a saved connection; undefined when
 * nothing is parked.
 */
export function deliverParked(deps: DeliveryDeps): Promise<DeliverResult | undefined> {
  const timeBudgetMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  return replayOutbox(undefined, { ...deps, timeBudgetMs }, (batch) => deliverBatch(batch, deps));
}
