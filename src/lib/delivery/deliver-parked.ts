import { loadConfig } from '../config';
import { readMetapropertyStamp } from '../fields/metaproperty-cache';
import { type DeliveryDeps, deliverBatch, failedDelivery, keptMarks } from './deliver-batch';
import type { DeliverResult } from './outcome';
import { DELIVERY_TIME_BUDGET_MS } from '../pacing/deadline';
import {
  keptCount,
  type KeptMarks,
  type OutboxBatch,
  parkedCount,
  readOutboxHead,
  replayOutbox,
  retryKept,
} from '../state/outbox';

/** What a run of the outbox did, for whoever started it to report (the scheduled job). */
export interface ParkedDelivery {
  /** Records the run claimed and tried, as one batch. */
  tried: number;
  /** deliver()'s answer for them; a failure that escaped its steps is in here too (`success: false`). */
  result: DeliverResult;
  /** Records the outbox holds after the run. */
  remaining: number;
}

/** What the run did: to the parked records, and to the kept records whose asset was not found. */
export interface OutboxRun {
  parked?: ParkedDelivery;
  /** Kept records tried again to look for their asset; `remaining`: kept records after the run. */
  kept?: ParkedDelivery;
}

/**
 * Delivers the outbox's parked records now, through deliver()'s own steps (nothing is sent while a
 * rate-limit block is stored), in a time budget of its own, then tries again the kept records whose
 * asset was not found (the periodic look for it) and those whose cause may have changed since they
 * were last tried (settings saved, the cached field model changed), as a batch would, so they go
 * even when no batch arrives. For the scheduled job; empty when nothing was tried.
 */
export async function deliverParked(deps: DeliveryDeps): Promise<OutboxRun> {
  const timeBudgetMs = deps.timeBudgetMs ?? DELIVERY_TIME_BUDGET_MS;
  // A failure before the records were settled (settings unreadable, the store down) is an answer
  // like any other: redacted, logged once, and reported by the caller instead of swallowed.
  const deliver = (batch: OutboxBatch) =>
    deliverBatch(batch, deps).catch((error: unknown) => failedDelivery(error, batch, deps));
  const run: OutboxRun = {};
  const replay = await replayOutbox(undefined, { ...deps, timeBudgetMs }, deliver);
  if (replay?.result) {
    const remaining = parkedCount(await readOutboxHead(deps.kvStore));
    run.parked = { tried: replay.parked, result: replay.result, remaining };
  }
  const head = await readOutboxHead(deps.kvStore);
  if (keptCount(head) === 0) return run;
  const marks = await currentMarks(deps);
  const occasion = { assets: true, ...(marks ? { marks } : {}) };
  const retry = await retryKept(head, occasion, { ...deps, timeBudgetMs }, deliver);
  if (retry?.result) {
    const remaining = keptCount(await readOutboxHead(deps.kvStore));
    run.kept = { tried: retry.parked, result: retry.result, remaining };
  }
  return run;
}

/**
 * The marks a batch would compare now: the settings as saved and the cached field model's hash (no
 * request: the copy's stamp). Undefined when the settings cannot be loaded (the delivery says why)
 * or no model is cached.
 */
async function currentMarks(deps: DeliveryDeps): Promise<KeptMarks | undefined> {
  try {
    const config = await loadConfig(deps);
    const stamp = await readMetapropertyStamp(deps.kvStore, config.portalUrl);
    // No cached model: nothing to compare with (the next batch lists the metaproperties and compares).
    return stamp ? keptMarks(stamp.hash, config) : undefined;
  } catch {
    return undefined;
  }
}
