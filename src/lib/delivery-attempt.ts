// What the app may conclude from `batch.attempt`, in one place: the outbox (park what OCP may not
// deliver again), the batch lease (deliver beside a holder on what may be the last attempt), the
// applied ledger (keep it while a retry may come) and the parked-records notice all ask
// redeliveryAfter, so they never disagree.
//
// What is known, and from where:
// - Attempts count from 1. Optimizely's guidance for destination apps says `batch.attempt` is "1 on
//   the first try" and lists treating it as a zero-based retry count as a common mistake
//   (https://github.com/optimizely/ocp-skills, skills/ocp-app-development/references/data-sync/destination.md).
//   The SDK itself only types it (`attempt: number`, src/app/Destination.ts of @zaiusinc/app-sdk 3.3.3,
//   and https://docs.developers.optimizely.com/optimizely-connect-platform/docs/app-sdk-api-reference-interfaces-destinationbatch);
//   the SDK's source never reads it: OCP's platform numbers the attempts.
// - A retry follows only an answer `success: false, retryable: true` (the same guidance).
// - How many times OCP delivers a batch is published nowhere: not in the SDK, its reference or the
//   guidance. "Up to three retries" is what is repeated; read as three deliveries in all, the last is
//   attempt 3; read as three retries after the first, attempt 4. So from attempt 3 on, an attempt
//   may be the last, and the app acts as if it were (and as if another may follow).
// - Whether OCP counts a re-run of an invocation it cut (time limit, lost worker) as a new attempt
//   is not published either, so the applied ledger is read on every attempt, the first included.
// Attempt 0 is the app's own numbering for the outbox's replay (state/outbox.ts), never OCP's: the app
// delivers parked records again itself, for as long as they stay parked.

/** OCP's number for the first delivery of a batch. */
export const FIRST_ATTEMPT = 1;
/** From this attempt on, OCP may not deliver the batch again (three deliveries, or three retries). */
export const MAY_BE_LAST_FROM = 3;
/** The attempt number of the outbox's replay, which the app (not OCP) delivers again. */
export const OUTBOX_REPLAY_ATTEMPT = 0;

/**
 * Will the batch be delivered again after this attempt's answer?
 * - `expected`: the answer asks for a retry and this attempt cannot be OCP's last (or the outbox,
 *   not OCP, replays it);
 * - `possible`: the answer asks for a retry, but this attempt may be OCP's last;
 * - `none`: the answer does not ask for a retry (`retryable: false`), so OCP gives up on it.
 */
export type Redelivery = 'expected' | 'possible' | 'none';

/**
 * Whether the answer to a batch asks OCP for a retry (`retryable: true`): records are left pending
 * and no stop says that only the user can fix what held them (credentials, a missing role). The
 * answer to OCP, the applied ledger and the outbox all ask this, then redeliveryAfter.
 */
export function asksForRetry(pending: boolean, stop: { retryable: boolean } | undefined): boolean {
  return pending && (stop?.retryable ?? true);
}

/**
 * What follows an attempt whose answer is, or would be, `retryable` (`false`: OCP delivers the batch
 * no more, whatever its attempt).
 */
export function redeliveryAfter(batch: { attempt: number }, retryable: boolean): Redelivery {
  if (!retryable) return 'none';
  if (batch.attempt < FIRST_ATTEMPT) return 'expected'; // the outbox's replay: the app repeats it
  return batch.attempt < MAY_BE_LAST_FROM ? 'expected' : 'possible';
}
