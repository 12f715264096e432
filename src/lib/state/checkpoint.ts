import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { deleteLedger, type Ledger, writeLedger } from './ledger';

// The applied ledger, written while the batch runs rather than only at its end: an invocation cut
// by OCP (its time limit, a lost worker) leaves behind what Bynder had accepted up to its last
// checkpoint, so the retry sends only the rest and a batch too large for one invocation still moves
// on. A checkpoint is one merged kvStore patch of the writes accepted since the previous one, taken
// after every CHECKPOINT_EVERY_WRITES accepted writes or the first accepted write after
// CHECKPOINT_EVERY_MS, whichever comes first; never per write. At most one patch is in flight.

/** Accepted writes that make a checkpoint (at 10 requests/s, one every 2.5 s). */
export const CHECKPOINT_EVERY_WRITES = 25;
/** A checkpoint is also taken on the first accepted write this long after the previous one. */
export const CHECKPOINT_EVERY_MS = 5_000;

export interface Checkpoint {
  /**
   * Notes a write Bynder accepted, by its fingerprint (writeFingerprint, the plan's); checkpoints
   * when enough accumulated.
   */
  applied: (fingerprint: string) => void;
  /**
   * Ends the batch's ledger: `keep` (OCP will retry) stores what is not stored yet, releasing the
   * lease in the same write; otherwise the row (lease included) is deleted, after any checkpoint in
   * flight, so a later identical batch is sent whole.
   */
  close: (keep: boolean) => Promise<void>;
}

export function startCheckpoint(
  ledger: Ledger,
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger },
): Checkpoint {
  const { kvStore, clock, logger } = deps;
  let unsaved: string[] = [];
  let lastSavedAt = clock.now();
  // Whether a row may exist that close() must delete (a lease lives in the row too).
  let stored = ledger.applied.size > 0 || ledger.lease !== undefined;
  let saving: Promise<void> = Promise.resolve();

  const save = (release = false): Promise<void> => {
    const writes = unsaved;
    unsaved = [];
    lastSavedAt = clock.now();
    stored = true;
    saving = saving
      .then(() => writeLedger(kvStore, ledger, writes, clock, release))
      .catch((error: unknown) => {
        unsaved.push(...writes); // the next checkpoint tries them again
        logger.error('Could not store the applied ledger; a retry re-sends what it lacks:', error);
      });
    return saving;
  };

  return {
    applied: (fingerprint) => {
      unsaved.push(fingerprint);
      if (unsaved.length >= CHECKPOINT_EVERY_WRITES || clock.now() - lastSavedAt >= CHECKPOINT_EVERY_MS) {
        void save();
      }
    },
    close: async (keep) => {
      if (keep) {
        await saving; // a failed checkpoint in flight hands its writes back for this last one
        // The last write also releases the batch's lease (without one, batch-lease.ts releases it).
        if (unsaved.length > 0) await save(true);
        return;
      }
      unsaved = [];
      await saving;
      if (stored) await deleteLedger(kvStore, ledger);
    },
  };
}
