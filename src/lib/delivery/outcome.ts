import { describeError, isRetryable } from '../app-error';
import { RATE_LIMIT_PENDING_CAUSE } from '../bynder/errors';
import { asksForRetry } from '../delivery-attempt';
import { describeRateLimitBlock, type RateLimitBlock } from '../pacing/rate-limit-block';
import { failureReasonTexts } from '../messages';
import { redactSecrets } from '../redact';
import type { Clock, Logger } from '../runtime-ports';
import { shorten } from '../shorten';
import type { LoggedRejection } from '../state/rejection-log';
import type { KeptCause, OutboxSettlement } from '../state/outbox';
import { keptCauseOf } from './reason-kind';

// How each record of a batch ends, and what OCP and the log are told about it. Every record ends
// exactly once as applied, rejected (permanent: its data is wrong, with a reason) or pending
// (transient: OCP retries the batch). Outcomes cover batch positions, so events superseded by a later
// event for the same key share the winner's outcome. The batch's one log line and OCP's result
// (`DestinationDeliverResult`) are both made from one count of them.

interface OutcomeBase {
  /** The record key, when the record had a usable one. */
  key: string | undefined;
  /** How messages name it, e.g. `asset_id "7C1D…"` or `record #4`. */
  subject: string;
  /** Batch positions (0-based) this outcome covers: the winning event and those it superseded. */
  records: readonly number[];
}

export interface AppliedOutcome extends OutcomeBase {
  status: 'applied';
  /** Applied without a write because Bynder already held every value (change detection). */
  unchanged?: true;
  /** Applied by creating the asset from the record's file (the save carried every field). */
  created?: true;
  /** Applied, and the record's changed file became a new version of its asset. */
  versioned?: true;
}

/** One thing wrong with a record: with `field` when one field's value is at fault. */
export interface RecordProblem {
  field?: string;
  /** What is wrong and what is allowed; never a secret, values cut short. */
  problem: string;
  /** Set when Bynder's state is at fault, not the record's data (reason-kind.ts, keptCauseOf). */
  bynder?: KeptCause;
}

export interface RejectedOutcome extends OutcomeBase {
  status: 'rejected';
  /** The field at fault, when one is (for the rejection log and the CLI). */
  field?: string;
  /** What is wrong, per field where a field is at fault; at least one. */
  problems: readonly RecordProblem[];
  /** Set when only Bynder's state is at fault: the outbox keeps the record for a retry. */
  keptFor?: KeptCause;
}

export interface PendingOutcome extends OutcomeBase {
  status: 'pending';
  /** Why it was not applied this time, short enough to group by, e.g. `Bynder unavailable`. */
  cause: string;
}

/**
 * Queued for creation: the asset's creation is durably claimed in the creation ledger and handed to
 * the creation job, which reports its end in the Activity Log. Accepted the way Bynder's own 202 is
 * (the batch may answer success), but never counted applied.
 */
export interface QueuedOutcome extends OutcomeBase {
  status: 'queued';
}

/**
 * Held: a delete or archive past the mass-delete threshold ("Deletes and archives per hour"), kept
 * unsent until an administrator releases or discards it (state/held-deletes.ts).
 */
export interface HeldOutcome extends OutcomeBase {
  status: 'held';
  /** The threshold it passed, for the texts. */
  perHour: number;
}

export type RecordOutcome = AppliedOutcome | RejectedOutcome | PendingOutcome | QueuedOutcome | HeldOutcome;

/** Why sending stopped early for the whole batch (credentials, rate limit, an outage), if it did. */
export interface BatchStop {
  message: string;
  /** False when only the user can fix it (credentials, roles): OCP should not retry. */
  retryable: boolean;
  /** What stopped it, for the Activity Log notice: Bynder's rate-limit block, or the credentials. */
  stoppedBy?: { kind: 'rate_limit'; blockedUntil: number } | { kind: 'credentials' | 'permissions' };
}

/** The SDK's DestinationDeliverResult, restated so src/lib stays SDK-free. */
export interface DeliverResult {
  success: boolean;
  retryable?: boolean;
  failureReason?: string;
}

export const MAX_FAILURE_REASON_LENGTH = 1_000;
/** One named rejection in failureReason is cut at this length, so several fit. */
const MAX_EXAMPLE_LENGTH = 240;
/** A record with more problems than this names the first few and counts the rest. */
const MAX_PROBLEMS_SHOWN = 3;

/** The whole batch pending for one cause, e.g. while a rate-limit block lasts (no request sent). */
export function allPending(total: number, cause: string): PendingOutcome[] {
  if (total === 0) return [];
  const records = Array.from({ length: total }, (_, i) => i);
  return [{ status: 'pending', key: undefined, subject: 'the batch', records, cause }];
}

/** While blocked, the whole batch is handed back untouched: pending, retryable, no request sent. */
export function pausedByRateLimit(total: number, block: RateLimitBlock): BatchEnd {
  return {
    outcomes: allPending(total, RATE_LIMIT_PENDING_CAUSE),
    stop: {
      message: describeRateLimitBlock(block),
      retryable: true,
      stoppedBy: { kind: 'rate_limit', blockedUntil: block.blockedUntil },
    },
  };
}

/** A record rejected for `problems` (the first problem's field, if any, is the field at fault). */
export function rejectedOutcome(
  record: Pick<OutcomeBase, 'key' | 'subject' | 'records'>,
  problems: readonly RecordProblem[],
  field = problems[0]?.field,
): RejectedOutcome {
  const keptFor = keptCauseOf(problems);
  const { key, subject, records } = record; // a rejection given here is made anew, keptFor included
  return {
    key,
    subject,
    records,
    status: 'rejected',
    problems,
    ...(field !== undefined ? { field } : {}),
    ...(keptFor ? { keptFor } : {}),
  };
}

/** `field "campaign": "Sumer" is not an option …; field "region": …; and 2 more`, or the plain problem. */
export function reasonOf(rejection: Pick<RejectedOutcome, 'problems'>): string {
  const shown = rejection.problems
    .slice(0, MAX_PROBLEMS_SHOWN)
    .map((p) => (p.field === undefined ? p.problem : `field "${p.field}": ${p.problem}`));
  const more = rejection.problems.length - shown.length;
  return shown.join('; ') + (more > 0 ? failureReasonTexts.andMore(more) : '');
}

/** A rejection as the rejection log keeps it: its reason in words, and how many records it covers. */
export function toLoggedRejection(rejection: RejectedOutcome): LoggedRejection {
  const { key, subject, field, records } = rejection;
  return { key, subject, field, reason: reasonOf(rejection), records: records.length };
}

/** `asset_id "7C1D…" field "campaign": "Sumer" is not an option (…)`, or `record #3: not an object`. */
export function describeRejection(rejection: Pick<RejectedOutcome, 'subject' | 'problems'>): string {
  const byField = rejection.problems[0]?.field !== undefined;
  return `${rejection.subject}${byField ? ' ' : ': '}${reasonOf(rejection)}`;
}

export interface OutcomeCounts {
  applied: number;
  /** Of the applied records, those Bynder already held, so nothing was written for them. */
  unchanged: number;
  rejected: number;
  pending: number;
  /** Of the applied records, those whose asset this batch created from the record's file. */
  created: number;
  /** Of the applied records, those whose changed file became a new version of their asset. */
  versioned: number;
  /** Records whose asset's creation was handed to the creation job (not applied). */
  queued: number;
  /** Deletes and archives held back by the mass-delete threshold (not sent). */
  held: number;
  total: number;
}

/** Records per outcome class, counted once for the log line and OCP's result. */
export function countOutcomes(outcomes: readonly RecordOutcome[]): OutcomeCounts {
  const counts = {
    applied: 0,
    unchanged: 0,
    rejected: 0,
    pending: 0,
    created: 0,
    versioned: 0,
    queued: 0,
    held: 0,
    total: 0,
  };
  for (const outcome of outcomes) {
    counts[outcome.status] += outcome.records.length;
    if (outcome.status === 'applied' && outcome.unchanged) counts.unchanged += outcome.records.length;
    if (outcome.status === 'applied' && outcome.created) counts.created += outcome.records.length;
    if (outcome.status === 'applied' && outcome.versioned) counts.versioned += outcome.records.length;
    counts.total += outcome.records.length;
  }
  return counts;
}

/**
 * OCP's result: pending left → retry (success false, retryable true unless a stop says only the user
 * can fix it). Only rejections left → success false, retryable false: retrying cannot fix bad data.
 * All applied → success. The text counts each class and names the first reasons.
 */
export function toDeliverResult(
  outcomes: readonly RecordOutcome[],
  stop?: BatchStop,
  counts = countOutcomes(outcomes),
  outbox?: Pick<OutboxSettlement, 'held' | 'dropped' | 'droppedKeys' | 'kept' | 'keptDropped'>,
): DeliverResult {
  const { applied, rejected, pending, held, total } = counts;
  if (rejected === 0 && pending === 0 && held === 0 && !stop) return { success: true };

  const head: string[] = [];
  if (stop) head.push(stop.message);
  if (pending > 0) head.push(failureReasonTexts.pending(pending, total, describeCauses(outcomes)));
  if (held > 0) {
    const perHour = outcomes.find((o): o is HeldOutcome => o.status === 'held')?.perHour ?? 0;
    head.push(failureReasonTexts.held(held, total, perHour));
  }
  if (outbox && outbox.held > 0) {
    head.push(failureReasonTexts.parked(outbox.held));
  }
  if (outbox && outbox.dropped > 0) {
    head.push(failureReasonTexts.outboxDropped(outbox.dropped, outbox.droppedKeys));
  }
  // What the outbox did with the rejections: said after them, before the applied count.
  const keptTexts: string[] = [];
  if (outbox && outbox.kept > 0) keptTexts.push(failureReasonTexts.kept(outbox.kept));
  if (outbox && outbox.keptDropped > 0) keptTexts.push(failureReasonTexts.keptDropped(outbox.keptDropped));
  const tail = [failureReasonTexts.applied(applied)];
  if (counts.queued > 0) tail.push(`${counts.queued} queued for creation`);
  const retryable = asksForRetry(pending > 0, stop);
  if (rejected === 0) {
    const reason = [...head, ...keptTexts, ...tail].join('; ');
    return { success: false, retryable, failureReason: boundReason(reason) };
  }

  const rejections = outcomes.filter((o): o is RejectedOutcome => o.status === 'rejected');
  const intro = failureReasonTexts.rejectedIntro(rejected, total);
  const fixed = [...head, ...keptTexts, ...tail].join('; ');
  // Name as many rejections as fit beside the counts, then say how many more there are.
  const room = MAX_FAILURE_REASON_LENGTH - intro.length - fixed.length - 40;
  const named: string[] = [];
  let used = 0;
  for (const rejection of rejections) {
    const example = shorten(describeRejection(rejection), MAX_EXAMPLE_LENGTH);
    if (used + example.length + 2 > room) break;
    named.push(example);
    used += example.length + 2;
  }
  const more = rejections.length - named.length;
  const examples = named.join('; ') + (more > 0 ? failureReasonTexts.andMore(more) : '');
  const text = [...head, intro + examples, ...keptTexts, ...tail].join('; ');
  return { success: false, retryable, failureReason: boundReason(text) };
}

/** The result for an error that escaped the steps: our errors say whether a retry helps. */
export function failureFromError(error: unknown, secrets: readonly string[] = []): DeliverResult {
  return {
    success: false,
    retryable: isRetryable(error),
    failureReason: boundReason(redactSecrets(describeError(error), secrets)),
  };
}

/** The pending records' causes: `Bynder unavailable`, or `3 Bynder unavailable, 1 not sent: …`. */
export function describeCauses(outcomes: readonly RecordOutcome[]): string {
  const byCause = new Map<string, number>();
  for (const o of outcomes) {
    if (o.status === 'pending') byCause.set(o.cause, (byCause.get(o.cause) ?? 0) + o.records.length);
  }
  return [...byCause].map(([cause, n]) => (byCause.size === 1 ? cause : `${n} ${cause}`)).join(', ');
}

function boundReason(text: string): string {
  return shorten(text, MAX_FAILURE_REASON_LENGTH);
}

// ── The batch's log line ────────────────────────────────────────────────────────────────────────
// One info line per batch, short enough for OCP's 4,096-character log lines. Counts only: keys and
// reasons go to the rejection log, values nowhere.

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
}

/** How the batch ended: every record's outcome, the stop if any, and fields dropped for schema drift. */
export interface BatchEnd {
  outcomes: readonly RecordOutcome[];
  stop?: BatchStop;
  /** Fields dropped because Bynder no longer has them, with how many records carried each. */
  droppedFields?: ReadonlyMap<string, number>;
  /** Set once the outbox is settled. */
  outbox?: OutboxSettlement;
  /** Deletes past the mass-delete threshold that did not fit the held list (rejected, counted apart). */
  notHeld?: number;
  /** Deletes held in all (every sync) once this batch held its own, when it held any. */
  heldInAll?: number;
  /** Options created in Bynder for this batch's values (metaproperty label, option label and name). */
  createdOptions?: ReadonlyArray<{ metaproperty: string; label: string; name: string }>;
}

/** The start of every batch line: the sync, the attempt and the counts. */
const BATCH_LINE =
  /^Bynder delivery for sync (".*") attempt \d+: (\d+) records: (\d+) applied \((\d+) unchanged\), (\d+) rejected, (\d+) pending(?:, (\d+) held)?;(?: (\d+) created, (\d+) versioned, (\d+) queued for creation;)?(?: (\d+) kept for a retry;)?/;

/**
 * The sync name (as the line carries it: at most 100 characters) and the counts of a batch line
 * reportBatch logged, for a host that reads the app's log (the local runner's summary); undefined
 * for any other line.
 */
export function readBatchLine(
  line: string,
): (OutcomeCounts & { syncName: string; kept: number }) | undefined {
  const match = BATCH_LINE.exec(line);
  if (!match) return undefined;
  const counts = match.slice(2).map((n) => Number(n ?? 0));
  const [total, applied, unchanged, rejected, pending, held, created, versioned, queued, kept] = counts as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    syncName: String(JSON.parse(match[1] ?? '""')),
    total,
    applied,
    unchanged,
    rejected,
    pending,
    created,
    versioned,
    queued,
    kept,
    held,
  };
}

/** Logs the batch's one line and returns OCP's result for it. */
export function reportBatch(
  deps: { logger: Logger; clock: Clock },
  report: BatchReport,
  end: BatchEnd,
): DeliverResult {
  const counts = countOutcomes(end.outcomes);
  const dropped = [...(end.droppedFields ?? [])].map(([name, n]) => `${name} (${n})`).join(', ');
  const { traffic } = report;
  const parts = [
    `Bynder delivery for sync ${JSON.stringify(report.syncName.slice(0, 100))} attempt ${report.attempt}:`,
    `${counts.total} records: ${counts.applied} applied (${counts.unchanged} unchanged), ${counts.rejected} rejected, ${counts.pending} pending${counts.held > 0 ? `, ${counts.held} held` : ''};`,
    ...(counts.created + counts.versioned + counts.queued > 0
      ? [`${counts.created} created, ${counts.versioned} versioned, ${counts.queued} queued for creation;`]
      : []),
    // Of the rejected, those the outbox keeps for a retry (rejected because of Bynder's state).
    ...(end.outbox && end.outbox.kept > 0 ? [`${end.outbox.kept} kept for a retry;`] : []),
    `${traffic.requests} requests (${traffic.rateLimited} answered 429, ${traffic.serverErrors} failed as unavailable)`,
    `in ${Math.round(deps.clock.now() - report.startedAt)} ms`,
  ];
  if (dropped) parts.push(`; dropped fields Bynder no longer has: ${dropped.slice(0, 500)}`);
  if (end.stop) parts.push(`; stopped: ${end.stop.message.slice(0, 500)}`);
  deps.logger.info(parts.join(' ').replace(/ ;/g, ';'));
  if (end.outbox && end.outbox.held > 0) parts.push(`; ${end.outbox.held} parked in the outbox`);
  return toDeliverResult(end.outcomes, end.stop, counts, end.outbox);
}
