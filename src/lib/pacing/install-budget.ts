import type { RequestDeadline } from '../bynder/client-options';
import { BynderDeadlineError } from '../bynder/errors';
import { z } from 'zod';

import { KV_ROWS } from '../state/kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { BudgetHaltedError, DEFAULT_BUDGET_MARGIN, type RequestBudget } from './request-budget';
import { stateRow, updateStateRow } from '../state/state-row';

interface BudgetRowValue extends StoredRow {
  /** The first slot of the timeline no one holds (ms since epoch, in the writer's clock). */
  next?: number;
}

/** A `next` that is not a finite number reads as none: the lease then starts now. */
export const REQUEST_BUDGET_ROW = stateRow<BudgetRowValue>(KV_ROWS.requestBudget, {
  schema: z.object({ next: z.number().finite().optional().catch(undefined) }),
  empty: () => ({}),
});

// One request budget for every invocation of an install, in whatever process it runs: OCP runs a
// sync as many deliver() calls at once on different workers, which share only the kvStore, and
// Bynder counts requests per IP address, not per process.
//
// The budget is a timeline of slots `spacingMs` apart. One kvStore row holds `next`, the first slot
// no one holds yet. An invocation with a request waiting leases the next few slots with one
// compare-and-set patch (starting at max(next, now), so a timeline left idle never bursts) and
// grants each slot to one request start. Leases never overlap, so every two starts anywhere are at
// least `spacingMs` apart, less the few ms a start may come after its slot (LATE_SLOT_MS; a start
// later than that skips the slot): N + 1 starts span at least N × spacing − LATE_SLOT_MS, over a
// second for a margin of 2 %.
//
// Leases fit what the invocation will send: as many slots as requests it still expects (said with
// expect(), e.g. the writes of a planned batch) or has waiting, at most LEASE_MS of them. So slots
// are not leased ahead of need, and at the end of a batch the few left are handed back (the row's
// `next` moves back when no one leased after them).
//
// Cost: one patch per lease (25 requests at 10 requests/s, at least LEASE_MIN_REQUESTS), one more
// when slots are handed back, and one increment the first time the row is written (state-row.ts). A process that
// dies holds its lease until it ends: at most LEASE_MS of the budget is lost.

/**
 * A lease covers at most about this much time, and at least LEASE_MIN_REQUESTS slots: 25 at
 * 10 requests/s, so a lease's patch (a read and a write) costs under 0.1 kvStore operations per
 * request, and a worker that dies holds at most 2.5 s of the budget.
 */
export const LEASE_MS = 2_500;
export const LEASE_MIN_REQUESTS = 10;
/** A start may come this long after its slot; later, the slot is skipped. */
export const LATE_SLOT_MS = 10;
/**
 * A `next` further ahead than this is not believed: no invocation waits that long (deliver()'s time
 * budget is shorter), so it comes from a clock far off or a damaged row, and the lease starts now.
 */
const MAX_AHEAD_MS = 60_000;
/**
 * Clocks. The timeline is written in each writer's own clock; the bound below assumes the workers'
 * clocks agree to within this much (OCP's hosts are NTP-synced, typically to a few ms). Leases never
 * overlap on the timeline, and a start happens on the true clock at its slot less its worker's
 * offset; so with offsets within MAX_CLOCK_SKEW_MS, any window of T ms holds at most
 * (T + MAX_CLOCK_SKEW_MS) / spacing + 1 starts: over Bynder's window (4,500 requests in 5 minutes
 * per IP) at most 4,442 at the highest setting, 15/s, so a worker whose clock runs up to 2 s ahead
 * cannot push the install over Bynder's limit. What it can do is bunch starts at a hand-over of
 * the timeline (its lease may begin up to 2 s before the other's ends), so a single second may then
 * hold up to twice the setting. Ruling that out would need a 2 s gap at every hand-over between
 * workers, about 45 % of the throughput with two workers always contending; the setting's
 * headroom under Bynder's limit is taken instead (test/unit/pacing-install-budget-skew.test.ts).
 */
export const MAX_CLOCK_SKEW_MS = 2_000;

interface Lease {
  /** Time of the next slot not granted yet. */
  nextSlot: number;
  /** Time just after the lease's last slot (its last slot is `end - spacingMs`). */
  end: number;
}

export interface InstallBudget extends RequestBudget {
  /** This invocation expects to send `requests` more requests: leases are sized to fit them. */
  expect(requests: number): void;
  /** Hands back the slots of the current lease no request used, if no one leased after it. */
  release(): Promise<void>;
  /** kvStore calls the budget made (leases, hand-backs, the row's creation). */
  readonly kvOperations: number;
  /** Slots leased but not used (skipped as late, or handed back). */
  readonly unusedSlots: number;
}

export function createInstallBudget(options: {
  requestsPerSecond: number;
  clock: Clock;
  kvStore: KeyValueStore;
  margin?: number;
  /**
   * The invocation's time budget: a start whose slot comes too late for a request to finish inside
   * it is refused at once (BynderDeadlineError), never waited for.
   */
  deadline?: RequestDeadline;
}): InstallBudget {
  const { requestsPerSecond, clock, kvStore, margin = DEFAULT_BUDGET_MARGIN, deadline } = options;
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
    throw new TypeError(
      `Expected \`requestsPerSecond\` to be a positive number, got ${String(requestsPerSecond)}`,
    );
  }
  if (!Number.isFinite(margin) || margin < 0) {
    throw new TypeError(`Expected \`margin\` to be 0 or more, got ${String(margin)}`);
  }
  const spacingMs = (1000 * (1 + margin)) / requestsPerSecond;
  const maxLeaseSlots = Math.max(LEASE_MIN_REQUESTS, Math.round(LEASE_MS / spacingMs));
  let lease: Lease | undefined;
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  let granted = 0;
  let expectedUpTo = 0;
  let kvOperations = 0;
  let unusedSlots = 0;
  let halted = false;

  const hasSlot = (held: Lease | undefined): held is Lease =>
    held !== undefined && held.nextSlot < held.end - spacingMs / 2;

  // Every store call the budget makes is counted (kvOperations), through this wrapper.
  const counted: KeyValueStore = {
    get: (...args) => ((kvOperations += 1), kvStore.get(...args)),
    put: (...args) => ((kvOperations += 1), kvStore.put(...args)),
    patch: (...args) => ((kvOperations += 1), kvStore.patch(...args)),
    delete: (...args) => ((kvOperations += 1), kvStore.delete(...args)),
    increment: (...args) => ((kvOperations += 1), kvStore.increment(...args)),
  };
  const rowDeps = { kvStore: counted, clock };

  const takeLease = async (): Promise<Lease> => {
    const wanted = Math.max(waiting, expectedUpTo - granted);
    const slots = Math.min(maxLeaseSlots, Math.max(1, wanted));
    let taken: Lease | undefined;
    // One compare-and-set update (state-row.ts creates a missing row safely first); the updater's
    // last run is the one the store kept.
    await updateStateRow(rowDeps, REQUEST_BUDGET_ROW, (previous) => {
      const start = leaseStart(previous.next, clock.now());
      taken = { nextSlot: start, end: start + slots * spacingMs };
      return { ...previous, next: taken.end };
    });
    if (!taken) throw new Error('The request budget row was not updated');
    return taken;
  };

  const grantNext = async (): Promise<void> => {
    if (halted) throw new BudgetHaltedError();
    for (;;) {
      const now = clock.now();
      // Slots this process reached too late are let go: a start long after its slot would crowd
      // the next slot, which may be another invocation's.
      while (hasSlot(lease) && lease.nextSlot + LATE_SLOT_MS < now) {
        lease.nextSlot += spacingMs;
        unusedSlots += 1;
      }
      if (!hasSlot(lease)) {
        lease = await takeLease();
        if (halted) throw new BudgetHaltedError();
        continue;
      }
      const waitMs = lease.nextSlot - now;
      if (waitMs <= 0) break;
      // Every wait ends at the deadline: a slot later than the budget allows is not waited for (a
      // lease far ahead, another invocation's, or a long queue), and the request is not sent.
      if (deadline?.allowsStart(waitMs) === false) {
        throw new BynderDeadlineError(
          'request',
          `was not sent (its turn in the request budget comes ${Math.round(waitMs)} ms on, too late)`,
        );
      }
      await clock.sleep(waitMs);
      if (halted) throw new BudgetHaltedError();
    }
    lease.nextSlot += spacingMs;
    granted += 1;
  };

  const release = async (): Promise<void> => {
    const held = lease;
    lease = undefined;
    if (!hasSlot(held)) return;
    const left = Math.round((held.end - held.nextSlot) / spacingMs);
    unusedSlots += left;
    try {
      // Only the last lease can shrink; slots in the middle of the timeline are let go.
      await updateStateRow(rowDeps, REQUEST_BUDGET_ROW, (previous) =>
        previous.next === held.end ? { ...previous, next: held.nextSlot } : previous,
      );
    } catch {
      // Not handing back costs at most these slots; the timeline moves on without them.
    }
  };

  const enqueue = <T>(step: () => Promise<T>): Promise<T> => {
    const turn = queue.then(step);
    queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };

  return {
    acquire: () => {
      waiting += 1;
      return enqueue(grantNext).finally(() => {
        waiting -= 1;
      });
    },
    halt: () => {
      halted = true;
      void enqueue(release);
    },
    expect: (requests) => {
      expectedUpTo = granted + Math.max(0, requests);
    },
    release: () => enqueue(release),
    get granted() {
      return granted;
    },
    get kvOperations() {
      return kvOperations;
    },
    get unusedSlots() {
      return unusedSlots;
    },
  };
}

function leaseStart(next: number | undefined, now: number): number {
  if (next === undefined || next < now || next > now + MAX_AHEAD_MS) {
    return now;
  }
  return next;
}
