import { createHash } from 'node:crypto';

import { z } from 'zod';

import { FIRST_ATTEMPT } from '../delivery-attempt';
import { HELD_DELETES_ROW } from './kv-rows';
import { boundedCanonicalForm } from '../record-bounds';
import type { Clock, KeyValueStore, Logger, Random, StoredRow } from '../runtime-ports';
import { systemRandom } from '../runtime-ports';
import { contentHash } from './content-hash';
import {
  heldCount,
  type OutboxHead,
  readOutboxHead,
  type SettledRecord,
  settleOutbox,
  updateHeldIndex,
} from './outbox';
import { eachParsed, readStateRow, stateRow, updateStateRow, writtenOrThrow } from './state-row';

// Deletes and archives the mass-delete threshold held back (state/delete-quota.ts counts what is
// sent): kept until an administrator releases them (they are then parked in the outbox and
// delivered like any parked record) or discards them. A later applied event of the same key
// supersedes a held one by the outbox's rules (delivery/supersede.ts): an upsert makes a held delete
// moot, as the newer intent is that the asset exists.
// Spread over HELD_DELETES_ROW.count rows by a hash of the key (every held event of a key in one
// row, in the order held), each row bounded at HELD_SHARD_BYTES of entries. A delete that does not
// fit is not held: its record is rejected with a reason that says so and what to do, so it is
// counted and reported (the batch's answer, the rejection log, the Activity Log), never lost silently.
// The outbox head keeps each row's count and version (updateHeldIndex): a batch learns whether
// anything is held from the head it reads anyway, so nothing held costs nothing.

/** Bytes of entries one row may hold (UTF-8 JSON): about 1,000 deletes of a short key each. */
export const HELD_SHARD_BYTES = 200_000;
/** Held entries a release parks per call: about what the outbox's replays deliver in a few runs. */
export const MAX_RELEASE = 5_000;

/** Why released records were parked: the outbox's notices and the CLI show it. */
export const RELEASED_CAUSE = 'released: held deletes an administrator released';

export interface HeldEntry {
  id: string;
  key: string;
  sync: string;
  /** The sync's name when it was held, for the texts that name it. */
  syncName: string;
  /** The events of the key that make up the held write, as OCP sent them, in batch order. */
  items: unknown[];
  heldAt: number;
  /** Its place among the writes held with it, to list them in batch order. */
  position?: number;
  /** `delete` or `archive` (the delete policy, or an `archive` value in the record). */
  kind: 'delete' | 'archive';
  /** Of the sync and the events, so a later attempt of the same batch holds them once. */
  fingerprint: string;
}

interface HeldRowValue extends StoredRow {
  entries: HeldEntry[];
  version: number;
}

const heldEntrySchema = z.looseObject({
  id: z.string(),
  key: z.string(),
  sync: z.string(),
  items: z.array(z.unknown()),
  heldAt: z.number(),
}) as unknown as z.ZodType<HeldEntry>;

export const HELD_STATE_ROW = stateRow<HeldRowValue>(HELD_DELETES_ROW, {
  schema: z.object({
    entries: eachParsed(heldEntrySchema),
    version: z.number().catch(0),
  }),
  empty: () => ({ entries: [], version: 0 }),
});

interface Deps {
  kvStore: KeyValueStore;
  clock: Clock;
  random?: Random;
}

export function heldSlotOf(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % HELD_DELETES_ROW.count;
}

function heldKey(slot: number): string {
  return `${HELD_DELETES_ROW.key}${slot}`;
}

function entryBytes(entry: HeldEntry): number {
  return Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
}

interface SlotWrite {
  slot: number;
  count: number;
  version: number;
}

/** One compare-and-set of a row's entries; answers what the head must hear. */
async function updateHeldSlot(
  slot: number,
  edit: (entries: HeldEntry[]) => HeldEntry[],
  deps: Deps,
): Promise<SlotWrite> {
  let result: SlotWrite = { slot, count: 0, version: 0 };
  const outcome = await updateStateRow(
    deps,
    HELD_STATE_ROW,
    (previous) => {
      const entries = edit([...previous.entries]);
      result = { slot, count: entries.length, version: previous.version };
      if (JSON.stringify(entries) === JSON.stringify(previous.entries)) return previous;
      result.version = previous.version + 1;
      return { entries, version: result.version };
    },
    heldKey(slot),
  );
  writtenOrThrow(outcome, heldKey(slot));
  return result;
}

/** A write the threshold holds: its key, its events as OCP sent them, and what it is. */
export interface WriteToHold {
  key: string;
  items: unknown[];
  kind: 'delete' | 'archive';
}

/**
 * Keeps `writes` of `sync` (each row in one compare-and-set, then the head's index). Answers the
 * keys kept and the keys that did not fit their row (those are not kept).
 */
export async function holdWrites(
  writes: readonly WriteToHold[],
  sync: { id: string; name: string },
  deps: Deps,
): Promise<{ held: Set<string>; overflow: Set<string>; inAll: number }> {
  const held = new Set<string>();
  const overflow = new Set<string>();
  if (writes.length === 0) return { held, overflow, inAll: 0 };
  const random = deps.random ?? systemRandom;
  const now = deps.clock.now();
  const bySlot = new Map<number, HeldEntry[]>();
  for (const [position, write] of writes.entries()) {
    const entry: HeldEntry = {
      position,
      id: random.id(),
      key: write.key,
      sync: sync.id,
      syncName: sync.name.slice(0, 100),
      items: write.items,
      heldAt: now,
      kind: write.kind,
      fingerprint: contentHash([sync.id, ...write.items.map(boundedCanonicalForm)]),
    };
    const slot = heldSlotOf(write.key);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), entry]);
  }
  const written: SlotWrite[] = [];
  for (const [slot, fresh] of bySlot) {
    let kept = new Set<string>();
    written.push(
      await updateHeldSlot(
        slot,
        (entries) => {
          kept = new Set();
          const known = new Set(entries.map((e) => e.fingerprint));
          let bytes = entries.reduce((sum, e) => sum + entryBytes(e), 0);
          const added: HeldEntry[] = [];
          for (const entry of fresh) {
            if (known.has(entry.fingerprint)) {
              kept.add(entry.key); // held by an earlier attempt of this batch
              continue;
            }
            const size = entryBytes(entry);
            if (bytes + size > HELD_SHARD_BYTES) continue;
            bytes += size;
            added.push(entry);
            kept.add(entry.key);
          }
          return [...entries, ...added];
        },
        deps,
      ),
    );
    for (const entry of fresh) (kept.has(entry.key) ? held : overflow).add(entry.key);
  }
  const head = await updateHeldIndex(written, deps);
  return { held, overflow, inAll: heldCount(head) };
}

/** Every held entry (each row the head names), oldest first. */
export async function readHeldDeletes(kvStore: KeyValueStore, head?: OutboxHead): Promise<HeldEntry[]> {
  const read = head ?? (await readOutboxHead(kvStore));
  const entries: HeldEntry[] = [];
  for (const [slot, { count }] of [...read.held].sort(([a], [b]) => a - b)) {
    if (count === 0) continue;
    entries.push(...(await readStateRow(kvStore, HELD_STATE_ROW, heldKey(slot))).entries);
  }
  return entries.sort((a, b) => a.heldAt - b.heldAt || (a.position ?? 0) - (b.position ?? 0));
}

/**
 * What a batch's applied events replace of the held entries of their keys held before the batch
 * started (`supersede`: the outbox's rule for one parked item and one later event). Entries left
 * with no item go. Nothing read while the head says nothing is held.
 */
export async function supersedeHeld(
  later: ReadonlyMap<string, readonly unknown[]>,
  head: OutboxHead | undefined,
  started: number,
  supersede: (held: unknown, later: unknown) => unknown,
  deps: Deps,
): Promise<{ superseded: number; trimmed: number }> {
  const tally = { superseded: 0, trimmed: 0 };
  if (!head || heldCount(head) === 0 || later.size === 0) return tally;
  const slots = new Set<number>();
  for (const key of later.keys()) {
    const slot = heldSlotOf(key);
    if ((head.held.get(slot)?.count ?? 0) > 0) slots.add(slot);
  }
  if (slots.size === 0) return tally;
  const written: SlotWrite[] = [];
  for (const slot of slots) {
    let counted = { superseded: 0, trimmed: 0 };
    written.push(
      await updateHeldSlot(
        slot,
        (entries) => {
          counted = { superseded: 0, trimmed: 0 };
          return entries.flatMap((entry) => {
            const events = entry.heldAt <= started ? later.get(entry.key) : undefined;
            if (!events) return [entry];
            const items = entry.items.flatMap((item) => {
              let left: unknown = item;
              for (const event of events) if (left !== undefined) left = supersede(left, event);
              return left === undefined ? [] : [left];
            });
            if (items.length === 0) {
              counted.superseded += 1;
              return [];
            }
            const same = items.length === entry.items.length && items.every((it, i) => it === entry.items[i]);
            if (same) return [entry];
            counted.trimmed += 1;
            return [{ ...entry, items }];
          });
        },
        deps,
      ),
    );
    tally.superseded += counted.superseded;
    tally.trimmed += counted.trimmed;
  }
  await updateHeldIndex(written, deps);
  return tally;
}

/** Removes the entries `ids` names from their rows (then the head's index). */
async function removeEntries(entries: readonly HeldEntry[], deps: Deps): Promise<void> {
  const bySlot = new Map<number, Set<string>>();
  for (const e of entries) {
    const slot = heldSlotOf(e.key);
    bySlot.set(slot, (bySlot.get(slot) ?? new Set()).add(e.id));
  }
  const written: SlotWrite[] = [];
  for (const [slot, ids] of bySlot) {
    written.push(await updateHeldSlot(slot, (all) => all.filter((e) => !ids.has(e.id)), deps));
  }
  await updateHeldIndex(written, deps);
}

/** What a release did: entries parked in the outbox, and records the outbox could not keep. */
export interface HeldRelease {
  released: number;
  /** Records the outbox dropped past its byte bound while they were parked (reported by it). */
  dropped: number;
  /** Entries still held (past MAX_RELEASE per call). */
  remaining: number;
}

/**
 * Releases held deletes (all, or those of one sync): parks each entry's events in the outbox, which
 * delivers them as it delivers any parked record (the next deliver() or its job), then removes them
 * here. Parked before removed: a release cut in between parks them again, once (the outbox keeps a
 * record of a sync once).
 */
export async function releaseHeld(deps: Deps & { logger: Logger }, onlySync?: string): Promise<HeldRelease> {
  const all = (await readHeldDeletes(deps.kvStore)).filter((e) => !onlySync || e.sync === onlySync);
  const chosen = all.slice(0, MAX_RELEASE);
  let dropped = 0;
  const bySync = new Map<string, HeldEntry[]>();
  for (const e of chosen) bySync.set(e.sync, [...(bySync.get(e.sync) ?? []), e]);
  for (const [sync, entries] of bySync) {
    const items: unknown[] = [];
    const outcomes: SettledRecord[] = entries.map((e) => {
      const records = e.items.map((item) => items.push(item) - 1);
      return { status: 'pending', key: e.key, records, cause: RELEASED_CAUSE };
    });
    const batch = { items, attempt: FIRST_ATTEMPT, sync: { id: sync, name: entries[0]?.syncName ?? sync } };
    // An answer OCP will not retry: the outbox parks every pending record of it, as for any batch.
    const change = await settleOutbox(
      batch,
      { outcomes, stop: { retryable: false } },
      deps.clock.now(),
      deps,
    );
    if (change.held === 0 && items.length > 0) {
      throw new Error(
        `Could not park the ${items.length} released deletes of one sync in the outbox; they stay held`,
      );
    }
    dropped += change.dropped;
  }
  await removeEntries(chosen, deps);
  return { released: chosen.length, dropped, remaining: all.length - chosen.length };
}

/** Discards held deletes (all, or those of one sync): they are never sent. Answers how many. */
export async function discardHeld(deps: Deps, onlySync?: string): Promise<number> {
  const chosen = (await readHeldDeletes(deps.kvStore)).filter((e) => !onlySync || e.sync === onlySync);
  await removeEntries(chosen, deps);
  return chosen.length;
}
