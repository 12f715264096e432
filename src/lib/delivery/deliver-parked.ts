import { deliverBatch } from './deliver-batch';
import type { Runtime } from '../runtime-ports';
import type { DeliverResult } from './outcome';
import { replayOutbox } from '../state/outbox';

/**
 * Delivers the outbox's parked records now, through deliver()'s own steps (nothing is sent while a
 * rate-limit block is stored). For the scheduled job and for a saved connection; undefined when
 * nothing is parked.
 */
export function deliverParked(deps: Runtime): Promise<DeliverResult | undefined> {
  return replayOutbox(undefined, deps, (batch) => deliverBatch(batch, deps));
}
