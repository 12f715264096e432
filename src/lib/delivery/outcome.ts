import { ConfigError } from '../config';
import { isBynderError } from '../bynder/errors';
import { redactSecrets } from '../redact';
import type { RejectedSettlement, Settlement } from './settlement';
import { shorten } from './shorten';

// Step 5 of deliver(): OCP's result is one flag pair and one text per batch. Pending left → retry
// (success false, retryable true). Only rejections left → success false, retryable false: retrying
// cannot fix bad data. All applied → success. The text counts each class and names the first reasons.

/** The SDK's DestinationDeliverResult, restated so src/lib stays SDK-free. */
export interface DeliverResult {
  success: boolean;
  retryable?: boolean;
  failureReason?: string;
}

/** Why sending stopped early for the whole batch (credentials, rate limit), if it did. */
export interface DeliveryStop {
  message: string;
  /** False when only the user can fix it (credentials, roles): OCP should not retry. */
  retryable: boolean;
}

export const MAX_FAILURE_REASON_LENGTH = 1_000;
/** One named rejection in failureReason is cut at this length, so several fit. */
const MAX_EXAMPLE_LENGTH = 240;

export function toDeliverResult(settlements: readonly Settlement[], stop?: DeliveryStop): DeliverResult {
  const count = (status: Settlement['status']) =>
    settlements.filter((s) => s.status === status).reduce((sum, s) => sum + s.records.length, 0);
  const applied = count('applied');
  const rejected = count('rejected');
  const pending = count('pending');
  const total = applied + rejected + pending;
  if (rejected === 0 && pending === 0 && !stop) return { success: true };

  const head: string[] = [];
  if (stop) head.push(stop.message);
  if (pending > 0) head.push(`${pending} of ${total} records pending (${describeCauses(settlements)})`);
  const tail = [`${applied} applied`];
  const retryable = pending > 0 && (stop?.retryable ?? true);
  if (rejected === 0) {
    return { success: false, retryable, failureReason: boundReason([...head, ...tail].join('; ')) };
  }

  const rejections = settlements.filter((s): s is RejectedSettlement => s.status === 'rejected');
  const intro = `${rejected} of ${total} records rejected: `;
  const fixed = [...head, ...tail].join('; ');
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
  const examples = named.join('; ') + (more > 0 ? `; and ${more} more` : '');
  const text = [...head, intro + examples, ...tail].join('; ');
  return { success: false, retryable, failureReason: boundReason(text) };
}

/** `asset_id "7C1D…" field "campaign": "Sumer" is not an option (…)`, or `record #3: not an object`. */
function describeRejection(rejection: Pick<RejectedSettlement, 'subject' | 'reason'>): string {
  return rejection.reason.startsWith('field "')
    ? `${rejection.subject} ${rejection.reason}`
    : `${rejection.subject}: ${rejection.reason}`;
}

/** The result for an error that escaped the steps: config and credential problems are not retried. */
export function failureFromError(error: unknown, secrets: readonly string[] = []): DeliverResult {
  return { success: false, retryable: isRetryable(error), failureReason: describeError(error, secrets) };
}

/** Our own errors' messages are written for the user; others keep their class name for support. */
export function describeError(error: unknown, secrets: readonly string[] = []): string {
  const ours =
    error instanceof ConfigError || isBynderError(error) || (error instanceof Error && 'retryable' in error);
  const message =
    error instanceof Error ? (ours ? error.message : `${error.name}: ${error.message}`) : String(error);
  return boundReason(redactSecrets(message, secrets));
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  if (isBynderError(error)) return error.retryable;
  // Other errors of ours that know (e.g. MetapropertiesUnavailableError) carry a boolean `retryable`.
  if (error instanceof Error && 'retryable' in error && typeof error.retryable === 'boolean') {
    return error.retryable;
  }
  return true; // Unknown failures may be transient; OCP's retries are bounded.
}

function describeCauses(settlements: readonly Settlement[]): string {
  const byCause = new Map<string, number>();
  for (const s of settlements) {
    if (s.status === 'pending') byCause.set(s.cause, (byCause.get(s.cause) ?? 0) + s.records.length);
  }
  return [...byCause].map(([cause, n]) => (byCause.size === 1 ? cause : `${n} ${cause}`)).join(', ');
}

function boundReason(text: string): string {
  return shorten(text, MAX_FAILURE_REASON_LENGTH);
}
