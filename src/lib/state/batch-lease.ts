import { type Clock, type KeyValueStore, type Logger, type Random, systemRandom } from '../runtime-ports';
import { redeliveryAfter } from '../delivery-attempt';
import {
  BATCH_ROW,
  type BatchLease,
  type BatchRowValue,
  type Ledger,
  ledgerKeyOf,
  trustedFingerprints,
  withoutLease,
} from './ledger';
import { readStateRow, updateStateRow } from './state-row';

// OCP may run two invocations of the same batch at once (a re-delivery while the first still runs).
// Both would send every write, and each would leave its own ledger. So an invocation first takes a
// lease on the batch: the batch's ledger row names its holder until an expiry, taken with
// compare-and-set (state-row.ts), so of two concurrent takers exactly one sees itself as holder.
// The other sends nothing and answers retryable: OCP's next attempt finds the holder's ledger and
// sends only what is left (except on an attempt that may be OCP's last: see withBatchLease). The
// lease expires on its own (a holder cut by the platform cannot release it), so it must outlast one
// invocation; it is released at the end of the batch so OCP's retry is not held back: by the
// ledger's last write or its delete (checkpoint.ts), or here when the batch ended before that. Cost:
// taking it is one increment and one patch, and it reads the ledger; releasing it costs nothing
// more than closing the ledger.

/** How long a lease holds without release: longer than one invocation may run. */
export const BATCH_LEASE_SECONDS = 5 * 60;

export type { BatchLease } from './ledger';

/** Whether the row holds a lease that has not ended. */
function leaseHeld(row: BatchRowValue, now: number): boolean {
  return row.holder !== undefined && row.until !== undefined && row.until > now;
}

/**
 * Takes the lease on the batch whose ledger is `ledgerKey` (one row: an increment, as it is usually
 * missing, and one compare-and-set patch). Answers the ledger the row holds, with the lease when this
 * invocation got it (the updater's last run is the one the store kept, so no read-back is needed).
 */
export async function takeBatchLease(
  kvStore: KeyValueStore,
  ledgerKey: string,
  clock: Clock,
  random: Random = systemRandom,
): Promise<{ ledger: Ledger; lease: BatchLease | undefined }> {
  const holder = random.id();
  const now = clock.now();
  let row: BatchRowValue = {};
  try {
    const outcome = await updateStateRow(
      { kvStore, clock, random },
      BATCH_ROW,
      (previous) =>
        leaseHeld(previous, now)
          ? previous
          : { ...previous, holder, until: now + BATCH_LEASE_SECONDS * 1000 },
      ledgerKey,
    );
    row = outcome.value;
  } catch {
    // Every try conflicted: others wrote the row, and one of them holds it; its ledger is read below.
    row = await readStateRow(kvStore, BATCH_ROW, ledgerKey);
  }
  const lease = row.holder === holder ? { key: ledgerKey, holder } : undefined;
  return {
    ledger: {
      key: ledgerKey,
      applied: new Set(trustedFingerprints(row, clock)),
      ...(lease ? { lease } : {}),
    },
    lease,
  };
}

/** Ends the lease, unless the batch's end released it already or another invocation took it since. */
export async function releaseBatchLease(
  kvStore: KeyValueStore,
  lease: BatchLease,
  clock: Clock,
): Promise<void> {
  if (lease.released) return;
  await updateStateRow({ kvStore, clock }, BATCH_ROW, (row) => withoutLease(row, lease), lease.key);
  lease.released = true;
}

/** What the invocation that did not get the lease answers: nothing was sent, OCP may retry. */
export const LEASE_HELD_REASON =
  'Another invocation is delivering this same batch right now; nothing was sent by this one. Retrying is safe: the retry sends only what the other did not apply.';

/**
 * Runs `deliver` holding the batch's lease; without it, answers retryable with nothing sent. A failed
 * release is logged: the lease then expires on its own.
 */
export async function withBatchLease<R extends { success: boolean }>(
  batch: { items: readonly unknown[]; sync: { id: string; name: string }; attempt: number },
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger; random?: Random },
  deliver: (ledger: Ledger) => Promise<R>,
): Promise<R | { success: false; retryable: true; failureReason: string }> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  if (batch.items.length === 0) return deliver({ key, applied: new Set() });
  const { kvStore, clock, logger } = deps;
  const { ledger, lease } = await takeBatchLease(kvStore, key, clock, deps.random);
  const sync = JSON.stringify(batch.sync.name.slice(0, 100));
  // The answer without the lease is retryable; whether OCP follows it up decides what to do.
  if (!lease && redeliveryAfter(batch, true) !== 'expected') {
    // The holder may be an invocation the platform cut, whose lease outlives it; if this attempt
    // is OCP's last and sends nothing, nobody sends the records. Delivering beside a live holder
    // costs at most a second, identical write of each asset; skipping could lose the batch.
    logger.info(
      `Bynder delivery for sync ${sync} attempt ${batch.attempt}: another invocation holds this batch's lease, but this attempt may be OCP's last; delivering`,
    );
    return deliver(ledger);
  }
  if (!lease) {
    logger.info(
      `Bynder delivery for sync ${sync} attempt ${batch.attempt}: another invocation holds this batch's lease; nothing sent`,
    );
    return { success: false, retryable: true, failureReason: LEASE_HELD_REASON };
  }
  try {
    return await deliver(ledger);
  } finally {
    await releaseBatchLease(kvStore, lease, clock).catch((error: unknown) =>
      logger.warn(`Could not release the lease of a batch; it expires in ${BATCH_LEASE_SECONDS} s:`, error),
    );
  }
}
