import type { Clock, Logger } from '../runtime-ports';
import type { DeliverResult, DeliveryStop } from './outcome';
import { toDeliverResult } from './outcome';
import type { Settlement } from './settlement';

// Step 6 of deliver(): one log line per batch, short enough for OCP's 4,096-character log lines.
// Counts only: keys and reasons go to the rejection log, values nowhere.

/** What the Bynder client saw, counted through its onResponse hook. */
export interface TrafficCounter {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  record: (info: { status: number | undefined }) => void;
}

export function createTrafficCounter(): TrafficCounter {
  const counter: TrafficCounter = {
    requests: 0,
    rateLimited: 0,
    serverErrors: 0,
    record: ({ status }) => {
      counter.requests += 1;
      if (status === 429) counter.rateLimited += 1;
      if (status === undefined || status >= 500) counter.serverErrors += 1;
    },
  };
  return counter;
}

export interface BatchReport {
  syncName: string;
  attempt: number;
  startedAt: number;
  traffic: Pick<TrafficCounter, 'requests' | 'rateLimited' | 'serverErrors'>;
  /** Fields dropped because Bynder no longer has them, with how many records carried each. */
  droppedFields?: ReadonlyMap<string, number>;
}

/** Logs the batch's one line and returns OCP's result for it (see outcome.ts). */
export function reportBatch(
  deps: { logger: Logger; clock: Clock },
  report: BatchReport,
  outcome: { settlements: readonly Settlement[]; stop?: DeliveryStop },
): DeliverResult {
  const counts = { applied: 0, rejected: 0, pending: 0 };
  for (const s of outcome.settlements) {
    counts[s.status] += s.records.length;
  }
  const total = counts.applied + counts.rejected + counts.pending;
  const dropped = [...(report.droppedFields ?? [])].map(([name, n]) => `${name} (${n})`).join(', ');
  const { traffic } = report;
  const parts = [
    `Bynder delivery for sync ${JSON.stringify(report.syncName.slice(0, 100))} attempt ${report.attempt}:`,
    `${total} records: ${counts.applied} applied, ${counts.rejected} rejected, ${counts.pending} pending;`,
    `${traffic.requests} requests (${traffic.rateLimited} answered 429, ${traffic.serverErrors} failed as unavailable)`,
    `in ${Math.round(deps.clock.now() - report.startedAt)} ms`,
  ];
  if (dropped) parts.push(`; dropped fields Bynder no longer has: ${dropped.slice(0, 500)}`);
  if (outcome.stop) parts.push(`; stopped: ${outcome.stop.message.slice(0, 500)}`);
  deps.logger.info(parts.join(' ').replace(/ ;/g, ';'));
  return toDeliverResult(outcome.settlements, outcome.stop);
}
