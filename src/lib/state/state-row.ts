import { z } from 'zod';

import { type Clock, type KeyValueStore, type Random, type StoredRow, systemRandom } from '../runtime-ports';
import type { KvRow } from './kv-rows';
import { StateRowOverBudgetError } from './state-row-over-budget';
import { StateRowUnreadableError } from './state-row-unreadable';

export { StateRowOverBudgetError } from './state-row-over-budget';
export { StateRowUnreadableError } from './state-row-unreadable';

// One way to keep a kvStore row. A row is declared once (its kvStore entry in kv-rows.ts: key, TTL,
// owner, byte budget, what an unreadable value means; plus the zod schema and empty value its owner
// gives it), and every read parses with that schema and every update goes through one retrying
// compare-and-set:
// - The kvStore's patch with an updater is a compare-and-set cycle (read, update, write if the row
//   did not change meanwhile) with a few retries. Two flaws lose updates under concurrency: a missing
//   row is created without a check (the SDK's local store creates it at CAS 0, which a second writer
//   that also read "missing" passes), and the SDK gives up after five conflicts. So a missing row is
//   first created atomically with `increment` (an atomic add that creates a missing row; its answer is
//   never read, as the SDK's local store answers the wrong field), after which every patch is a real
//   compare-and-set; and a patch that runs out of retries is tried again after a short random pause, a
//   bounded number of times.
// - A fixed row usually exists, so its update patches first and increments only when the patch saw
//   no row (one call in steady state); a row under a fresh key per batch is usually missing, so it is
//   incremented first (two calls).
// - An update that changes nothing, or whose value is over the row's byte budget, writes nothing: the
//   updater stops the patch before its write (it throws, and the throw is recognised by a flag set
//   just before it, so a store that wraps the error changes nothing). The caller is told which.

/**
 * OCP's kvStore is documented for "small to medium-sized" objects and is DynamoDB-backed: we plan for
 * about 400 KB per record at most, and keep every row's byte budget well under that.
 */
export const STORE_RECORD_BYTES = 400_000;

/** Each patch call retries five times inside the SDK; this many calls, so 40 compare-and-set rounds. */
export const STATE_ROW_PATCH_CALLS = 8;
/** The random pause before a patch call is tried again is up to this many ms times the call number. */
const PAUSE_STEP_MS = 25;
/** Field `increment` adds to when it creates a row; it counts the row's creations, for support. */
export const UPDATES_FIELD = 'updates';

/** A row's declaration: its kvStore entry, plus how its value is parsed and what "nothing" is. */
export interface StateRow<T extends StoredRow> extends KvRow {
  /** Parses what the store holds (the `updates` counter left out) into the value. */
  schema: z.ZodType<T>;
  /** The value of a missing (or expired) row. */
  empty: () => T;
  /** The TTL to write with a value, when it depends on the value and the time now (ms). */
  ttlFor?: (value: T, now: number) => number | undefined;
  /** A row under a fresh key per use (a batch's): created first, as it is usually missing. */
  usuallyMissing?: boolean;
}

/** Declares a row: its kvStore entry (kv-rows.ts) with its schema and empty value. */
export function stateRow<T extends StoredRow>(
  entry: KvRow,
  spec: Pick<StateRow<T>, 'schema' | 'empty' | 'ttlFor' | 'usuallyMissing'>,
): StateRow<T> {
  if (entry.byteBudget >= STORE_RECORD_BYTES) {
    throw new RangeError(`Row ${entry.key}: a byte budget must stay under ${STORE_RECORD_BYTES} bytes`);
  }
  return { ...entry, ...spec };
}

/** What an update did. `value` is the value the row holds afterwards, as this update last saw it. */
export type UpdateOutcome<T> =
  | { status: 'written'; value: T; bytes: number }
  | { status: 'unchanged'; value: T }
  | { status: 'over-budget'; value: T; bytes: number; budget: number };

/** UTF-8 bytes of the value as stored (JSON). */
export function storedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The key of a row: the declared one, or the declared prefix plus `suffix` (rows one per batch). */
export function rowKey(row: KvRow, suffix?: string): string {
  return suffix === undefined ? row.key : `${row.key}${suffix}`;
}

/**
 * The value `stored` holds. A missing row is the empty value; one that does not parse is the empty
 * value for a `drop` row (a cache, a retry aid) and an error for a `keep` row.
 */
export function parseStateRow<T extends StoredRow>(row: StateRow<T>, stored: StoredRow, key = row.key): T {
  const { [UPDATES_FIELD]: _counter, ...rest } = stored;
  if (Object.keys(rest).length === 0) return row.empty();
  const parsed = row.schema.safeParse(rest);
  if (parsed.success) return parsed.data;
  if (row.invalid === 'drop') return row.empty();
  throw new StateRowUnreadableError(key, parsed.error.issues[0]?.message ?? 'unreadable');
}

/** One read of the row, parsed (parseStateRow). */
export async function readStateRow<T extends StoredRow>(
  kvStore: KeyValueStore,
  row: StateRow<T>,
  key = row.key,
): Promise<T> {
  return parseStateRow(row, await kvStore.get(key), key);
}

/** Whether two values are equal as stored (JSON, whatever the order of object keys). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, sortedKeys) === JSON.stringify(b, sortedKeys);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Thrown inside an updater to stop the patch before it writes; recognised by the flag beside it. */
function stopPatch(): never {
  throw new Error('Update stopped before its write');
}

/**
 * Applies `update` to the row at `key` (default: the declared key) without losing a concurrent
 * writer's update. `update` may run several times and must be a pure function of the value it is
 * given. The TTL is set on every write. Throws StateRowUnreadableError for a `keep` row that does not
 * parse, and the store's last error when every try conflicted.
 */
export async function updateStateRow<T extends StoredRow>(
  deps: { kvStore: KeyValueStore; clock: Clock; random?: Random },
  row: StateRow<T>,
  update: (current: T) => T,
  key = row.key,
): Promise<UpdateOutcome<T>> {
  const { kvStore, clock } = deps;
  const random = deps.random ?? systemRandom;
  let created = row.usuallyMissing === true;
  if (created) await kvStore.increment(key, UPDATES_FIELD, 1);
  let lastError: unknown;
  let conflicts = 0;
  let conflicted = false;
  while (conflicts < STATE_ROW_PATCH_CALLS) {
    if (conflicted) await clock.sleep(Math.floor(random.fraction() * PAUSE_STEP_MS * conflicts));
    conflicted = false;
    let stopped: UpdateOutcome<T> | 'missing' | StateRowUnreadableError | undefined;
    let outcome: UpdateOutcome<T> | undefined;
    try {
      await kvStore.patch(key, (previous, options) => {
        stopped = undefined;
        if (Object.keys(previous).length === 0 && !created) {
          // Nothing to create when the update leaves the empty value as it is.
          const empty = row.empty();
          stopped = sameValue(update(empty), empty) ? { status: 'unchanged', value: empty } : 'missing';
          stopPatch();
        }
        let current: T;
        try {
          current = parseStateRow(row, previous, key);
        } catch (error) {
          stopped = error as StateRowUnreadableError;
          stopPatch();
        }
        const next = update(current);
        if (sameValue(next, current)) {
          stopped = { status: 'unchanged', value: current };
          stopPatch();
        }
        const counter = previous[UPDATES_FIELD];
        const written = counter === undefined ? next : { ...next, [UPDATES_FIELD]: counter };
        const bytes = storedBytes(written);
        if (bytes > row.byteBudget) {
          stopped = { status: 'over-budget', value: current, bytes, budget: row.byteBudget };
          stopPatch();
        }
        const ttl = row.ttlFor ? row.ttlFor(next, clock.now()) : row.ttlSeconds;
        if (ttl !== undefined) options.ttl = ttl;
        outcome = { status: 'written', value: next, bytes };
        return written;
      });
      if (outcome) return outcome;
      throw new Error(`The kvStore did not run the update of row ${key}`);
    } catch (error) {
      if (stopped === 'missing') {
        created = true;
        await kvStore.increment(key, UPDATES_FIELD, 1); // not a conflict: the next patch follows at once
        continue;
      }
      if (stopped instanceof StateRowUnreadableError) throw stopped;
      if (stopped) return stopped;
      lastError = error;
      conflicts += 1;
      conflicted = true;
    }
  }
  throw lastError;
}

/**
 * Writes `value` whole (a cache row one invocation computes: the last writer wins, which a cache
 * allows). One put; nothing written when it is over the row's budget.
 */
export async function replaceStateRow<T extends StoredRow>(
  kvStore: KeyValueStore,
  row: StateRow<T>,
  value: T,
  key = row.key,
): Promise<UpdateOutcome<T>> {
  const bytes = storedBytes(value);
  if (bytes > row.byteBudget) return { status: 'over-budget', value, bytes, budget: row.byteBudget };
  const ttl = row.ttlFor ? row.ttlFor(value, Date.now()) : row.ttlSeconds;
  await kvStore.put(key, value, ttl === undefined ? undefined : { ttl });
  return { status: 'written', value, bytes };
}

/** The outcome's value; an over-budget one as an error, for callers that report rather than trim. */
export function writtenOrThrow<T>(outcome: UpdateOutcome<T>, key: string): T {
  if (outcome.status === 'over-budget') {
    throw new StateRowOverBudgetError(key, outcome.bytes, outcome.budget);
  }
  return outcome.value;
}

/** Each element that parses is kept, the others skipped (an older version's odd entry loses nothing else). */
export function eachParsed<T>(schema: z.ZodType<T>) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((values) =>
      values.flatMap((value) => {
        const parsed = schema.safeParse(value);
        return parsed.success ? [parsed.data] : [];
      }),
    );
}
