import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import type { AssetResolver } from './asset-resolver';
import type { LedgerEntry } from './ledger';
import { writeLedger } from './ledger';
import { appendRejections } from './rejection-log';
import type { RejectedSettlement, Settlement } from './settlement';

// After execution, what must outlive this invocation: the applied ledger (only when something is
// left pending, so OCP's retry skips what is done), the rejection log (only when something was
// rejected) and the external-key cache (only when it learned a key). At most three kvStore writes.
// A failed write is logged, not fatal: the batch's outcome stands (a lost ledger costs re-sends).

export async function recordOutcome(
  settlements: readonly Settlement[],
  context: {
    kvStore: KeyValueStore;
    clock: Clock;
    logger: Logger;
    ledger: LedgerEntry;
    /** Read only when the ledger is written (something left pending). */
    appliedHashes: () => readonly string[];
    resolver: AssetResolver;
    syncName: string;
  },
): Promise<void> {
  const { kvStore, clock, logger } = context;
  const rejected = settlements.filter((s): s is RejectedSettlement => s.status === 'rejected');
  const writes: Array<[string, Promise<void>]> = [['external key cache', context.resolver.save()]];
  if (settlements.some((s) => s.status === 'pending')) {
    writes.push(['applied ledger', writeLedger(kvStore, context.ledger, context.appliedHashes(), clock)]);
  }
  if (rejected.length > 0) {
    writes.push([
      'rejection log',
      appendRejections(kvStore, rejected, { syncName: context.syncName, clock }),
    ]);
  }
  const results = await Promise.allSettled(writes.map(([, write]) => write));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      logger.error(`Could not store the ${writes[i]?.[0] ?? 'delivery record'}:`, result.reason);
    }
  });
}
