import { randomUUID } from 'node:crypto';

import { KV_ROWS } from '../kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { BudgetHaltedError, DEFAULT_BUDGET_MARGIN, type RequestBudget } from './request-budget';

// One request budget for every invocation of an install, in whatever process it runs: OCP runs a
// sync as many deliver() calls at once on different workers, which share only the kvStore, and
// Bynder counts requests per IP address, not per process.
//
// The budget is a timeline. One kvStore row holds `next`, the start of the part of the timeline no
// one holds yet. An invocation that wants to send leases the next `leaseMs` of it with one
// compare-and-set patch, and inside its lease grants request starts at least `spacingMs` apart, the
// last one at least `spacingMs` before the lease ends. Leases never overlap and abut at most, so
// every two starts anywhere are `spacingMs` apart: no 1-second window holds more than the budget,
// however late a process's timers fire (lateness only wastes part of its own lease).
//
// An invocation that goes idle (its batch done) hands back the rest of its lease: the row's `next`
// moves back when no one leased after it, else the stretch becomes the row's one spare, which the
// next leaser takes before the tail.
//
// Cost: one patch per lease (at least 10 requests at full speed), plus one when an idle invocation
// hands back the rest of its lease. A process that dies holds its lease until it ends: at most
// `leaseMs` (2 s at 5 requests/s and more) of the budget is lost, then the timeline moves on.

/** A lease covers about this much time, and at least LEASE_MIN_REQUESTS starts. */
export const LEASE_MS = 2_000;
export const LEASE_MIN_REQUESTS = 10;
/** A `next` further ahead than this is not believed (a clock far off, a damaged row): start from now. */
const MAX_AHEAD_MS = 60_000;
const LEASE_ATTEMPTS = 5;

interface Lease {
  end: number;
  /** The earliest time the next start may be granted. */
  nextGrant: number;
}

export interface InstallBudget extends RequestBudget {
  /** Hands back what is left of the current lease, if no one leased after it. */
  release(): Promise<void>;
  /** kvStore operations the budget made (leases and releases). */
  readonly kvOperations: number;
}

export function createInstallBudget(options: {
  requestsPerSecond: number;
  clock: Clock;
  kvStore: KeyValueStore;
  margin?: number;
}): InstallBudget {
  const { requestsPerSecond, clock, kvStore, margin = DEFAULT_BUDGET_MARGIN } = options;
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
    throw new TypeError(
      `Expected \`requestsPerSecond\` to be a positive number, got ${String(requestsPerSecond)}`,
    );
  }
  const spacingMs = (1000 * (1 + margin)) / requestsPerSecond;
  // A whole number of spacings plus a quarter: timers that fire a little late still get every
  // start of the lease, and a holder change wastes at most a quarter spacing.
  const leaseStarts = Math.max(LEASE_MIN_REQUESTS, Math.round(LEASE_MS / spacingMs));
  const leaseMs = (leaseStarts + 0.25) * spacingMs;
  const key = KV_ROWS.requestBudget.key;
  let lease: Lease | undefined;
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  let granted = 0;
  let kvOperations = 0;
  let halted = false;
  /** Names this invocation's writes, only to detect a lost first write of the row. */
  const holder = randomUUID();

  const takeLease = async (held: Lease | undefined): Promise<Lease> => {
    for (let attempt = 1; ; attempt += 1) {
      const now = clock.now();
      let taken: { start: number; end: number } = { start: now, end: now + leaseMs };
      let created = false;
      kvOperations += 1;
      try {
        await kvStore.patch(key, (previous: StoredRow) => {
          created = previous.next === undefined;
          const spare = spareOf(previous, now, 2 * spacingMs);
          if (spare) {
            taken = spare;
            return { ...previous, spareStart: null, spareEnd: null };
          }
          const start = leaseStart(previous, now);
          taken = { start, end: start + leaseMs };
          return { ...previous, next: taken.end, holder };
        });
        // Stores may let concurrent first writes of a missing row all pass their compare-and-set
        // (the SDK's local store does): whoever created the row checks that its write is the one kept.
        if (created) {
          kvOperations += 1;
          const row = await kvStore.get(key, ['holder']);
          if (row.holder !== holder) {
            throw new Error('the budget row was created by another invocation at once');
          }
        }
        // The updater's last run is the one the store kept (a lost compare-and-set reruns it).
        // Right after our own lease, our pacing simply goes on: the stretch between is ours too.
        const ownPace = held?.nextGrant ?? taken.start;
        const nextGrant = held && taken.start === held.end ? ownPace : Math.max(taken.start, ownPace);
        return { end: taken.end, nextGrant };
      } catch (error) {
        if (attempt >= LEASE_ATTEMPTS) throw error;
      }
    }
  };

  const grantNext = async (): Promise<void> => {
    if (halted) throw new BudgetHaltedError();
    for (;;) {
      if (!lease || Math.max(lease.nextGrant, clock.now()) > lease.end - spacingMs) {
        lease = await takeLease(lease);
      }
      const waitMs = lease.nextGrant - clock.now();
      if (waitMs <= 0) break;
      await clock.sleep(waitMs);
      if (halted) throw new BudgetHaltedError();
    }
    const now = clock.now();
    if (now > lease.end - spacingMs) return grantNext(); // a late timer ran past the lease
    lease.nextGrant = now + spacingMs;
    granted += 1;
  };

  const release = async (): Promise<void> => {
    const held = lease;
    lease = undefined;
    if (!held || held.nextGrant >= held.end - spacingMs) return;
    kvOperations += 1;
    try {
      await kvStore.patch(key, (previous: StoredRow) => {
        const from = Math.max(held.nextGrant, clock.now());
        // The last lease shrinks; one in the middle becomes the spare the next leaser takes first
        // (one spare at a time: a second one, while the first is still usable, is let go).
        if (previous.next === held.end) return { ...previous, next: from };
        if (spareOf(previous, clock.now(), 2 * spacingMs)) return previous;
        return { ...previous, spareStart: from, spareEnd: held.end };
      });
    } catch {
      // Not handing back costs at most the rest of this lease; the timeline moves on without it.
    }
  };

  const idleRelease = (): void => {
    // When nothing waited or was granted for a spacing after a grant, the invocation is between
    // phases or done: give the rest of the lease to the others instead of letting it pass unused.
    const grantedBefore = granted;
    void clock.sleep(spacingMs).then(() => {
      if (waiting === 0 && granted === grantedBefore && lease) queue = queue.then(release);
    });
  };

  return {
    acquire: () => {
      waiting += 1;
      const turn = queue.then(grantNext).finally(() => {
        waiting -= 1;
        if (waiting === 0) idleRelease();
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
    halt: () => {
      halted = true;
      queue = queue.then(release);
    },
    release: () => {
      const done = queue.then(release);
      queue = done;
      return done;
    },
    get granted() {
      return granted;
    },
    get kvOperations() {
      return kvOperations;
    },
  };
}

/** A handed-back stretch still long enough for `minMs` of starts from now. */
function spareOf(row: StoredRow, now: number, minMs: number): { start: number; end: number } | undefined {
  const { spareStart, spareEnd } = row;
  if (typeof spareStart !== 'number' || typeof spareEnd !== 'number') return undefined;
  const start = Math.max(spareStart, now);
  return spareEnd - start >= minMs && spareEnd <= now + MAX_AHEAD_MS ? { start, end: spareEnd } : undefined;
}

function leaseStart(row: StoredRow, now: number): number {
  const next = row.next;
  if (typeof next !== 'number' || !Number.isFinite(next) || next < now || next > now + MAX_AHEAD_MS) {
    return now;
  }
  return next;
}
