import { BATCH_LEASE_ROW, LEDGER_ROW } from './kv-rows';
import {
  type Clock,
  type KeyValueStore,
  type Logger,
  type Random,
  type StoredRow,
  systemRandom,
} from '../runtime-ports';
import { redeliveryAfter } from '../delivery-attempt';
import { ledgerKeyOf } from './ledger';
import { updateSharedRow } from './shared-row';

// OCP may run two invocations of the same batch at once (a re-delivery while the first still runs).
// Both would send every write, and each would leave its own ledger. So an invocation first takes a
// lease on the batch: a row under the batch's key naming its holder until an expiry, taken with
// compare-and-set (see shared-row.ts), so of two concurrent takers exactly one sees itself as holder.
// The other sends nothing and answers retryable: OCP's next attempt finds the holder's ledger and
// sends only what is left (except on an attempt that may be OCP's last: see withBatchLease). The
// lease expires on its own (a holder cut by the platform cannot release it), so it must outlast one
// invocation; it is released at the end of the batch so OCP's retry is not held back. Cost: taking
// it is one increment, one patch (read and write) and one read; releasing it one patch.

/** How long a lease holds without release: longer than one invocation may run. */
export const BATCH_LEASE_SECONDS = BATCH_LEASE_ROW.ttlSeconds;

export interface BatchLease {
  key: string;
  holder: string;
}

/** The lease on the batch whose ledger is `ledgerKey`, or undefined when another invocation holds it. */
export async function takeBatchLease(
  kvStore: KeyValueStore,
  ledgerKey: string,
  clock: Clock,
  random: Random = systemRandom,
): Promise<BatchLease | undefined> {
  const key = BATCH_LEASE_ROW.keyPrefix + ledgerKey.slice(LEDGER_ROW.keyPrefix.length);
  const holder = random.id();
  const now = clock.now();
  const take = (previous: StoredRow): StoredRow =>
    typeof previous.holder === 'string' && typeof previous.until === 'number' && previous.until > now
      ? previous
      : { holder, until: now + BATCH_LEASE_SECONDS * 1000 };
  try {
    await updateSharedRow(kvStore, key, take, { ttlSeconds: BATCH_LEASE_SECONDS, clock, random });
  } catch {
    // Every try conflicted: others wrote the row; the read below says whether one of them was us.
  }
  const row = await kvStore.get(key);
  return row.holder === holder ? { key, holder } : undefined;
}

/** Ends the lease, unless it expired and another invocation took it since. */
export async function releaseBatchLease(
  kvStore: KeyValueStore,
  lease: BatchLease,
  clock: Clock,
): Promise<void> {
  await updateSharedRow(kvStore, lease.key, (row) => (row.holder === lease.holder ? {} : row), {
    ttlSeconds: BATCH_LEASE_SECONDS,
    clock,
  });
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
  deliver: () => Promise<R>,
): Promise<R | { success: false; retryable: true; failureReason: string }> {
  if (batch.items.length === 0) return deliver();
  const { kvStore, clock, logger } = deps;
  const lease = await takeBatchLease(kvStore, ledgerKeyOf(batch.sync.id, batch.items), clock, deps.random);
  const sync = JSON.stringify(batch.sync.name.slice(0, 100));
  // The answer without the lease is retryable; whether OCP follows it up decides what to do.
  if (!lease && redeliveryAfter(batch, true) !== 'expected') {
    // The holder may be an invocation the platform cut, whose lease outlives it; if this attempt
    // is OCP's last and sends nothing, nobody sends the records. Delivering beside a live holder
    // costs at most a second, identical write of each asset; skipping could lose the batch.
    logger.info(
      `Bynder delivery for sync ${sync} attempt ${batch.attempt}: another invocation holds this batch's lease, but this attempt may be OCP's last; delivering`,
    );
    return deliver();
  }
  if (!lease) {
    logger.info(
      `Bynder delivery for sync ${sync} attempt ${batch.attempt}: another invocation holds this batch's lease; nothing sent`,
    );
    return { success: false, retryable: true, failureReason: LEASE_HELD_REASON };
  }
  try {
    return await deliver();
  } finally {
    await releaseBatchLease(kvStore, lease, clock).catch((error: unknown) =>
      logger.warn(`Could not release the lease of a batch; it expires in ${BATCH_LEASE_SECONDS} s:`, error),
    );
  }
}
