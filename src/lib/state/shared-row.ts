import { type Clock, type KeyValueStore, type Random, type StoredRow, systemRandom } from '../runtime-ports';

// Rows that several deliver() invocations write at once (the rejection log, the outbox, the applied
// ledger, a batch's lease). The kvStore's patch is a compare-and-set cycle with a few retries, and
// two flaws lose entries under concurrency:
// - a missing row is created without a check (the SDK's local store creates it at CAS 0, which a
//   second writer that also read "missing" passes), so two first writers overwrite each other;
// - the SDK gives up after five conflicts ("CAS retries exhausted"), so the sixth of a dozen
//   concurrent writers loses its update.
// So the row is first created atomically with `increment` (an atomic add that creates a missing
// row; its answer is never read, as the SDK's local store answers the wrong field), after which every
// patch is a real compare-and-set; and a patch that runs out of retries is tried again after a short
// random pause, a bounded number of times. Cost: one increment plus one patch (a read and a write)
// per update when uncontended.

/** Each patch call retries five times inside the SDK; this many calls, so 40 compare-and-set rounds. */
export const SHARED_ROW_PATCH_CALLS = 8;
/** The random pause before a patch call is tried again is up to this many ms times the call number. */
const PAUSE_STEP_MS = 25;

/** Field `increment` adds to; it counts the row's updates, for support. */
export const UPDATES_FIELD = 'updates';

/**
 * Applies `update` to the row at `key` without losing a concurrent writer's update. `update` may run
 * several times and must be a pure function of the row it is given. `ttlSeconds` is set on every
 * write (undefined: the row keeps no expiry). Throws the last error when every try conflicted.
 */
export async function updateSharedRow(
  kvStore: KeyValueStore,
  key: string,
  update: (previous: StoredRow) => StoredRow,
  options: { ttlSeconds: number | undefined; clock: Clock; random?: Random },
): Promise<void> {
  await kvStore.increment(key, UPDATES_FIELD, 1, ttlOption(options.ttlSeconds));
  let lastError: unknown;
  for (let call = 0; call < SHARED_ROW_PATCH_CALLS; call += 1) {
    const random = options.random ?? systemRandom;
    if (call > 0) await options.clock.sleep(Math.floor(random.fraction() * PAUSE_STEP_MS * call));
    try {
      await kvStore.patch(key, (previous, rowOptions) => {
        if (options.ttlSeconds !== undefined) rowOptions.ttl = options.ttlSeconds;
        return { ...update(previous), [UPDATES_FIELD]: previous[UPDATES_FIELD] };
      });
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function ttlOption(ttlSeconds: number | undefined): { ttl?: number } | undefined {
  return ttlSeconds === undefined ? undefined : { ttl: ttlSeconds };
}
