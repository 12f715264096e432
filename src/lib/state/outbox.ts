import { createHash } from 'node:crypto';

import pLimit from 'p-limit';
import { z } from 'zod';

import { HELD_DELETES_ROW, KV_ROWS, OUTBOX_SHARD_ROW } from './kv-rows';
import {
  type Clock,
  type KeyValueStore,
  type Logger,
  type Random,
  type StoredRow,
  systemRandom,
} from '../runtime-ports';
import { shorten } from '../shorten';
import { contentHash } from './content-hash';
import { asksForRetry, OUTBOX_REPLAY_ATTEMPT, type Redelivery, redeliveryAfter } from '../delivery-attempt';
import { boundedCanonicalForm } from '../record-bounds';
import { eachParsed, readStateRow, stateRow, updateStateRow, writtenOrThrow } from './state-row';

// The outbox: records the app could not apply and that OCP will not deliver again, kept in the
// kvStore so the app delivers them itself later. OCP will not deliver a batch again when
// - the answer is `retryable: false` with records pending (refused credentials, a missing role:
//   only the user can fix those, so OCP gives up at once), or
// - the attempt may be OCP's last (redeliveryAfter in src/lib/delivery-attempt.ts: from attempt 3
//   on, since OCP publishes no retry count). Such an attempt parks what it leaves pending; when OCP does
//   deliver again, that delivery applies the records and so drops them from the outbox.
// Parked records are delivered again, as one batch of their own through deliver()'s steps, at the
// start of a later deliver() when no rate-limit block is stored (the block ended, or credentials
// were fixed: a refused token fails the replay again and the records stay) and from the scheduled
// job in app.yml; saving the connection settings does not wait for them (the form answers at once).
// A later batch that applies events for
// a parked record's key supersedes what they replace, field by field (delivery/supersede.ts).
// Bounded in bytes, never by count: records are spread over shard rows, each kept under
// OUTBOX_SHARD_BYTES; what goes past that is counted, named and reported (failureReason, the
// Activity Log, the CLI, the Sync Manager page), never dropped silently.
// Cost: one read (the head) per batch; per row touched, one increment and one patch when
// something is parked, superseded, fenced or delivered, and one patch of the head.

/** Shard rows the outbox spreads its records over (by a hash of the record key). */
export const OUTBOX_SHARDS = OUTBOX_SHARD_ROW.count;
/**
 * Bytes of records one shard row may hold (UTF-8 JSON). OCP's store is documented for small to
 * medium objects; plan for about 400 KB per record at most and keep each row well under it. 256
 * rows of 256 KB hold 10,000 records of about 3 KB (a text near Bynder's 2,500-character limit)
 * at about 120 KB per row, with room for an uneven spread.
 */
export const OUTBOX_SHARD_BYTES = 256_000;
/**
 * Bytes of kept records (rejected because of Bynder's state, see below) one shard row may hold, out
 * of OUTBOX_SHARD_BYTES: parked records are what nothing else holds, so kept ones never crowd them
 * out. Past it the oldest kept records of the row go, counted and reported.
 */
export const KEPT_SHARD_BYTES = 64_000;
/** The records one replay claims at most: about what one invocation can send in its time budget. */
export const MAX_REPLAY_RECORDS = 500;
/** Characters of a kept record's cause (a reason naming the option lists can be long). */
const MAX_KEPT_CAUSE = 500;
/** The row names the keys of the last this many records dropped past the bound. */
const MAX_DROPPED_NOTES = 20;
/**
 * A claim or fence outlives the time budget of the invocation that took it by this much: every
 * request of that invocation has ended by then. It also covers workers' clocks disagreeing by less.
 */
const HOLD_MARGIN_MS = 60_000;
/** Rows one step updates at once (a batch parking 1,000 records touches most of the 256). */
const SLOT_WRITERS = 8;
/** The sync id of the batch that delivers the outbox (OCP's sync ids are UUIDs: no clash). */
export const OUTBOX_SYNC = { id: 'bynder-outbox', name: 'parked records (outbox)' } as const;

/** Where a parked record lives: a shard index, or LEGACY_SLOT (the head row, today's old format). */
export type OutboxSlot = number;
/** The records an older version kept in the head row itself: read and delivered, never added to. */
export const LEGACY_SLOT = -1;

// Kept records: a record rejected because of Bynder's state (a value that is no option of its
// metaproperty, an asset no key finds) may land once Bynder changes, with no change to the record,
// so OCP never sends it again. It is kept here, beside the parked records and under the same rows,
// claims and supersede rules, with its cause, and delivered again only when that cause may have
// changed: the field model's content changed or the settings were saved (KeptMarks, compared with
// what the head row holds, which every batch reads anyway), or, for a missing asset, when the
// scheduled job looks again. A retry that is rejected for the same kind of cause keeps it (with
// the new marks); applied, or rejected for its own data, it leaves.

/** What in Bynder rejected a kept record (delivery/reason-kind.ts classifies rejections). */
export type KeptCause = 'option' | 'asset';

/** What a kept record was last tried under: the field model's content hash and the settings' hash. */
export interface KeptMarks {
  model: string;
  settings: string;
}

/** Who holds a parked record for a while, and until when (ms since epoch). */
export interface Hold {
  by: string;
  until: number;
}

export interface ParkedRecord {
  id: string;
  /** The record key; undefined when the record's key was never read (e.g. a batch held by a block). */
  key: string | undefined;
  sync: string;
  /** The record as OCP sent it. */
  item: unknown;
  parkedAt: number;
  /** Why it was not applied, e.g. `not sent: permission missing`. */
  cause: string;
  /** Of the sync and the record, so a later attempt of the same batch does not park it twice. */
  fingerprint: string;
  /** Its place in the batch that parked it, to list a batch's records in batch order. */
  position?: number;
  /** Taken by a replay sending it: nobody else sends it, no newer write of its key is sent. */
  claim?: Hold;
  /** Taken by a batch about to write its key: no replay sends it meanwhile. */
  fence?: Hold;
  /** 'kept': rejected because of Bynder's state, tried again when that may have changed; absent: parked. */
  kind?: 'kept';
  /** Kept only: what in Bynder rejected it. */
  keptFor?: KeptCause;
  /** Kept only: the marks it was kept or last tried under. */
  marks?: KeptMarks;
  /** Kept only: how many times it was tried again. */
  tries?: number;
}

/** Whether the record is kept (rejected because of Bynder's state), not parked. */
export function isKept(record: Pick<ParkedRecord, 'kind'>): boolean {
  return record.kind === 'kept';
}

export interface DroppedNote {
  key: string | undefined;
  sync: string;
  droppedAt: number;
}

export interface OutboxContents {
  /** The parked records. */
  records: ParkedRecord[];
  /** The kept records. */
  kept: ParkedRecord[];
  /** Kept records dropped past KEPT_SHARD_BYTES since the outbox was created. */
  keptDroppedTotal: number;
  /** Records dropped past the byte bound since the outbox was created. */
  droppedTotal: number;
  /** The most recent of them. */
  dropped: DroppedNote[];
}

/** What the outbox holds after a batch ended. */
export interface OutboxSettlement {
  /** Whether the batch will be delivered again (src/lib/delivery-attempt.ts): why records were parked. */
  redelivery: Redelivery;
  /** Records of this batch the outbox now holds (parked by this attempt or an earlier one). */
  held: number;
  /** Parked records this batch delivered (applied, or rejected with a reason): the outbox's own batch. */
  replayed: number;
  /** Records the outbox holds in all. */
  remaining: number;
  /** Records dropped past the outbox's byte bound by this step: lost, so always reported. */
  dropped: number;
  /** The keys of those (the first MAX_DROPPED_NOTES). */
  droppedKeys: readonly string[];
  /** Records of this batch the outbox keeps for a retry (rejected because of Bynder's state). */
  kept: number;
  /** Kept records dropped past KEPT_SHARD_BYTES by this step (counted and reported). */
  keptDropped: number;
}

/**
 * A record's outcome as the outbox reads it (delivery/outcome.ts's RecordOutcome fits): which batch
 * positions it covers, its key, and for a pending one why it was not applied.
 */
export type SettledRecord = { key: string | undefined; records: readonly number[] } & (
  | { status: 'applied' | 'queued' | 'held' }
  /** `keptFor`: rejected because of Bynder's state, so kept for a retry. */
  | {
      status: 'rejected';
      keptFor?: KeptCause;
      problems?: ReadonlyArray<{ field?: string; problem: string }>;
    }
  | { status: 'pending'; cause: string }
);

/** How a batch ended, as the outbox reads it (delivery/outcome.ts's BatchEnd fits). */
export interface SettledBatch {
  outcomes: readonly SettledRecord[];
  /** Why sending stopped early; `retryable: false` means OCP will not deliver the batch again. */
  stop?: { retryable: boolean };
}

/** What one step did to the outbox, for the log and for notifications. */
export interface OutboxChange extends OutboxSettlement {
  /** Parked by this step (a later attempt of the same batch parks nothing new). */
  parked: number;
  /** Delivered from the outbox: applied, or rejected with a reason (in the rejection log). */
  replayed: number;
  /** Dropped whole because a later batch applied what replaces all of it. */
  superseded: number;
  /** Kept with fewer fields: a later batch applied the others. */
  trimmed: number;
}

const NO_CHANGE: Omit<OutboxChange, 'redelivery'> = {
  kept: 0,
  keptDropped: 0,
  parked: 0,
  replayed: 0,
  dropped: 0,
  droppedKeys: [],
  superseded: 0,
  trimmed: 0,
  held: 0,
  remaining: 0,
};

/** A batch as settleOutbox sees it; the outbox's own batch carries where each position is parked. */
export interface OutboxBatch {
  items: readonly unknown[];
  attempt: number;
  sync: { id: string; name: string };
  /** Only on the outbox's own batch: the outbox id of each position. */
  outboxIds?: readonly string[];
  /** Only on the outbox's own batch: the slot (row) of each position. */
  outboxSlots?: readonly OutboxSlot[];
  /** Only on the outbox's own batch: the claim its records carry. */
  claimBy?: string;
}

// ── Rows ────────────────────────────────────────────────────────────────────────────────────────
// The head row (`delivery_outbox`) says which shard rows hold records, `{ shards: { "<n>": [count,
// version, kept] }, droppedTotal, dropped, keptDroppedTotal?, keptMarks? }` (`kept`: how many of the
// row's records are kept ones; absent in rows written before kept records existed); shard row n (`delivery_outbox_<n>`) holds `{ records,
// version }`. A record's shard is a hash of its key, so every record of one key is in one row, in
// the order parked. Each shard update bumps its version; the head keeps the count of the highest
// version it heard of, so concurrent writers never make it forget a shard that holds records.
// An install upgraded from the single-row format keeps its records in the head row's `records`
// (LEGACY_SLOT): they are read, delivered and superseded like the others, and nothing is added there.

/** The head row as a batch reads it at its start (one read). */
export interface OutboxHead {
  shards: ReadonlyMap<number, ShardCount>;
  /**
   * The rows of deletes held back by the mass-delete threshold (state/held-deletes.ts), counted here
   * in the same way as the shards, so a batch learns whether anything is held from this one read.
   */
  held: ReadonlyMap<number, { count: number; version: number }>;
  legacy: readonly ParkedRecord[];
  droppedTotal: number;
  dropped: readonly DroppedNote[];
  keptDroppedTotal: number;
  /** The marks kept records were last tried under (a batch under other marks retries them). */
  keptMarks: KeptMarks | undefined;
}

/** What a shard row holds, as the head knows it: all its records, of them kept ones, and its version. */
interface ShardCount {
  count: number;
  version: number;
  kept: number;
}

// A parked record needs its id and when it was parked; every other field is kept as stored.
const parkedRecordSchema = z.looseObject({
  id: z.string(),
  parkedAt: z.number(),
}) as unknown as z.ZodType<ParkedRecord>;
const droppedNoteSchema = z.looseObject({ droppedAt: z.number() }) as unknown as z.ZodType<DroppedNote>;

type ShardTuple = [number, number] | [number, number, number];

interface HeadRowValue extends StoredRow {
  shards: Record<string, ShardTuple>;
  /** Held deletes per row of state/held-deletes.ts: `{ "<n>": [count, version] }`; absent: none. */
  held?: Record<string, ShardTuple>;
  droppedTotal: number;
  dropped: DroppedNote[];
  keptDroppedTotal?: number;
  keptMarks?: KeptMarks;
  /** Records an older version kept in the head row itself (LEGACY_SLOT). */
  records?: ParkedRecord[];
}

interface ShardRowValue extends StoredRow {
  records: ParkedRecord[];
  version: number;
}

/** `{ "<n>": [count, version] }` (or `[count, version, kept]`) for n below `rows`; odd entries skipped. */
function rowCounts(rows: number) {
  const counts = z.union([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number(), z.number()])]);
  return z
    .record(z.string(), z.unknown())
    .catch({})
    .transform(
      (shards) =>
        Object.fromEntries(
          Object.entries(shards).filter(([slot, value]) => {
            const n = Number(slot);
            return Number.isInteger(n) && n >= 0 && n < rows && counts.safeParse(value).success;
          }),
        ) as Record<string, ShardTuple>,
    );
}

export const OUTBOX_HEAD_ROW = stateRow<HeadRowValue>(KV_ROWS.outbox, {
  schema: z.object({
    shards: rowCounts(OUTBOX_SHARDS),
    held: rowCounts(HELD_DELETES_ROW.count).optional(),
    droppedTotal: z.number().catch(0),
    dropped: eachParsed(droppedNoteSchema),
    keptDroppedTotal: z.number().optional().catch(undefined),
    keptMarks: z.object({ model: z.string(), settings: z.string() }).optional().catch(undefined),
    records: eachParsed(parkedRecordSchema).optional(),
  }),
  empty: () => ({ shards: {}, droppedTotal: 0, dropped: [] }),
});

export const OUTBOX_SHARD_STATE_ROW = stateRow<ShardRowValue>(OUTBOX_SHARD_ROW, {
  schema: z.object({ records: eachParsed(parkedRecordSchema), version: z.number().catch(0) }),
  empty: () => ({ records: [], version: 0 }),
});

export async function readOutboxHead(kvStore: KeyValueStore): Promise<OutboxHead> {
  return headOf(await readStateRow(kvStore, OUTBOX_HEAD_ROW));
}

/** The number of parked records the head says the outbox holds (kept ones not counted). */
export function parkedCount(head: OutboxHead): number {
  let count = head.legacy.length;
  for (const { count: n, kept } of head.shards.values()) count += n - kept;
  return count;
}

/** The number of kept records the head says the outbox holds. */
export function keptCount(head: OutboxHead): number {
  let count = 0;
  for (const { kept } of head.shards.values()) count += kept;
  return count;
}

/** Every parked record (the head, then each shard the head names), for the CLI, support and tests. */
export async function readOutbox(kvStore: KeyValueStore): Promise<OutboxContents> {
  const head = await readOutboxHead(kvStore);
  const all: ParkedRecord[] = [...head.legacy];
  for (const slot of occupiedSlots(head, 'any')) {
    if (slot === LEGACY_SLOT) continue;
    all.push(...(await readStateRow(kvStore, OUTBOX_SHARD_STATE_ROW, slotKey(slot))).records);
  }
  all.sort(byParkedOrder);
  return {
    records: all.filter((r) => !isKept(r)),
    kept: all.filter(isKept),
    droppedTotal: head.droppedTotal,
    dropped: [...head.dropped],
    keptDroppedTotal: head.keptDroppedTotal,
  };
}

/**
 * Kept records from at most `maxRows` of the rows the head says hold some (none read while nothing
 * is kept), oldest first among them: a sample for the settings form's Sync status, which names a few
 * and counts the rest from the head. Bounded so that the status, written by a batch, never reads
 * all 256 rows.
 */
export async function readKeptRecords(
  kvStore: KeyValueStore,
  head: OutboxHead,
  maxRows: number,
): Promise<ParkedRecord[]> {
  const rows = await Promise.all(
    occupiedSlots(head, 'kept')
      .slice(0, maxRows)
      .map((slot) => readStateRow(kvStore, OUTBOX_SHARD_STATE_ROW, slotKey(slot))),
  );
  return rows.flatMap((row) => row.records.filter(isKept)).sort(byParkedOrder);
}

/** The kvStore key of a slot's row. */
export function slotKey(slot: OutboxSlot): string {
  return slot === LEGACY_SLOT ? KV_ROWS.outbox.key : `${OUTBOX_SHARD_ROW.key}${slot}`;
}

/** The shard of a record: of its key, or (a record whose key was never read) of its fingerprint. */
export function slotOf(key: string | undefined, fingerprint: string): OutboxSlot {
  return (
    createHash('sha256')
      .update(key ?? `#${fingerprint}`)
      .digest()
      .readUInt32BE(0) % OUTBOX_SHARDS
  );
}

/** The rows holding records of a kind (the head's legacy records are all parked ones). */
function occupiedSlots(head: OutboxHead, holding: 'parked' | 'kept' | 'any'): OutboxSlot[] {
  const holds = (s: ShardCount) =>
    holding === 'kept' ? s.kept > 0 : holding === 'parked' ? s.count - s.kept > 0 : s.count > 0;
  const shards = [...head.shards].filter(([, s]) => holds(s)).map(([slot]) => slot);
  const legacy = head.legacy.length > 0 && holding !== 'kept' ? [LEGACY_SLOT] : [];
  return [...legacy, ...shards.sort((a, b) => a - b)];
}

interface SlotResult {
  slot: OutboxSlot;
  /** Of the records the row holds now. */
  fingerprints: Set<string>;
  count: number;
  /** Of them, kept records. */
  kept: number;
  version: number;
  dropped: DroppedNote[];
  /** Kept records dropped past KEPT_SHARD_BYTES. */
  keptDropped: DroppedNote[];
}

/**
 * One compare-and-set update of a slot's records. With `bounded`, the oldest records go while the
 * row is past OUTBOX_SHARD_BYTES (a record larger than that alone goes too), or its kept records
 * past KEPT_SHARD_BYTES; kept records go first: each is noted.
 */
async function updateSlot(
  slot: OutboxSlot,
  edit: (records: ParkedRecord[]) => ParkedRecord[],
  deps: { kvStore: KeyValueStore; clock: Clock },
  bounded = false,
): Promise<SlotResult> {
  let result: SlotResult = {
    slot,
    fingerprints: new Set(),
    count: 0,
    kept: 0,
    version: 0,
    dropped: [],
    keptDropped: [],
  };
  const apply = (previous: { records: ParkedRecord[] }, previousVersion: number) => {
    const records = edit([...previous.records]);
    const dropped: DroppedNote[] = [];
    const keptDropped: DroppedNote[] = [];
    if (bounded && slot !== LEGACY_SLOT) {
      let bytes = records.reduce((sum, r) => sum + byteSize(r), 0);
      let keptBytes = records.reduce((sum, r) => sum + (isKept(r) ? byteSize(r) : 0), 0);
      while ((bytes > OUTBOX_SHARD_BYTES || keptBytes > KEPT_SHARD_BYTES) && records.length > 0) {
        const keptAt = keptBytes > 0 ? records.findIndex(isKept) : 0;
        const [oldest] = records.splice(Math.max(keptAt, 0), 1);
        if (!oldest) break;
        bytes -= byteSize(oldest);
        const note = { key: oldest.key, sync: oldest.sync, droppedAt: deps.clock.now() };
        if (isKept(oldest)) {
          keptBytes -= byteSize(oldest);
          keptDropped.push(note);
        } else dropped.push(note);
      }
    }
    const version = previousVersion + 1;
    const fingerprints = new Set(records.map((r) => r.fingerprint));
    const kept = records.filter(isKept).length;
    result = { slot, fingerprints, count: records.length, kept, version, dropped, keptDropped };
    return records;
  };
  if (slot === LEGACY_SLOT) {
    const legacy = await updateStateRow(deps, OUTBOX_HEAD_ROW, (previous) => ({
      ...previous,
      records: apply({ records: previous.records ?? [] }, 0),
    }));
    writtenOrThrow(legacy, KV_ROWS.outbox.key);
    return result;
  }
  const outcome = await updateStateRow(
    deps,
    OUTBOX_SHARD_STATE_ROW,
    (previous) => {
      const records = apply(previous, previous.version);
      // Nothing changed: nothing written, and the version stays (the head need not hear of it).
      if (JSON.stringify(records) === JSON.stringify(previous.records)) {
        result = { ...result, version: previous.version };
        return previous;
      }
      return { records, version: result.version };
    },
    slotKey(slot),
  );
  writtenOrThrow(outcome, slotKey(slot));
  return result;
}

/** Tells the head what the shards now hold and what was dropped; answers the head as written. */
async function updateHead(
  results: readonly SlotResult[],
  deps: { kvStore: KeyValueStore; clock: Clock },
  marks?: KeptMarks,
): Promise<OutboxHead> {
  let written = headOf(OUTBOX_HEAD_ROW.empty());
  const notes = results.flatMap((r) => r.dropped);
  const keptNotes = results.flatMap((r) => r.keptDropped);
  const outcome = await updateStateRow(deps, OUTBOX_HEAD_ROW, (previous) => {
    const head = headOf(previous);
    const shards = new Map(head.shards);
    for (const r of results) {
      if (r.slot === LEGACY_SLOT) continue;
      if (r.version > (shards.get(r.slot)?.version ?? 0)) shards.set(r.slot, r);
    }
    const inUse = [...shards].filter(([, s]) => s.count > 0 || s.version > 0);
    // The first records kept take the marks they were kept under; later ones leave the marks to
    // the retry that compares them (retryKept).
    const keptMarks = keptCount(head) === 0 ? (marks ?? head.keptMarks) : head.keptMarks;
    written = {
      shards: new Map(inUse.map(([slot, s]) => [slot, { count: s.count, version: s.version, kept: s.kept }])),
      held: head.held,
      legacy: head.legacy,
      droppedTotal: head.droppedTotal + notes.length,
      dropped: [...head.dropped, ...notes].slice(-MAX_DROPPED_NOTES),
      keptDroppedTotal: head.keptDroppedTotal + keptNotes.length,
      keptMarks,
    };
    return {
      ...previous,
      shards: Object.fromEntries(
        inUse.map(([slot, s]): [string, ShardTuple] => [
          String(slot),
          s.kept > 0 ? [s.count, s.version, s.kept] : [s.count, s.version],
        ]),
      ),
      droppedTotal: written.droppedTotal,
      dropped: [...written.dropped],
      ...(written.keptDroppedTotal > 0 ? { keptDroppedTotal: written.keptDroppedTotal } : {}),
      ...(keptMarks ? { keptMarks } : {}),
    };
  });
  writtenOrThrow(outcome, KV_ROWS.outbox.key);
  return written;
}

// ── Settling a batch ────────────────────────────────────────────────────────────────────────────

/** What settleOutbox needs besides the batch: the head read at the batch's start, and how it merged. */
export interface OutboxSettleDeps {
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  random?: Random;
  /** The head as the batch read it at its start (read again when absent). */
  head?: OutboxHead;
  /**
   * What of a parked item a later applied event for its key leaves (undefined: nothing), by the
   * rules the batch merged its events with; without it (nothing planned) nothing is superseded.
   */
  supersede?: (parked: unknown, later: unknown) => unknown;
  /** The fences this batch took before sending (fenceParked): released now. */
  fence?: FenceTaken;
  /** The marks of this batch (its field model and settings): what its kept records are kept under. */
  marks?: KeptMarks;
  /** A rejection's reason in words (what a kept record is kept with); without it nothing is kept. */
  describeRejection?: (rejection: SettledRecord & { status: 'rejected' }) => string;
}

/**
 * The step after a batch's outcome: parks what OCP will not deliver again, supersedes (field by
 * field) what this batch's applied events replace, releases this batch's fences and, for the
 * outbox's own batch, removes what it settled and releases its claims. Never throws: a failed write
 * is logged with the records it could not park, since nothing else holds them.
 */
export async function settleOutbox(
  batch: OutboxBatch,
  end: SettledBatch,
  started: number,
  deps: OutboxSettleDeps,
): Promise<OutboxChange> {
  const replayIds = batch.outboxIds;
  const pending = end.outcomes.some((o) => o.status === 'pending');
  const redelivery = redeliveryAfter(batch, asksForRetry(pending, end.stop));
  const now = deps.clock.now();
  const random = deps.random ?? systemRandom;
  const toPark =
    replayIds || redelivery === 'expected' ? [] : parkedRecords(batch, end.outcomes, now, random);
  // Rejected because of Bynder's state: kept, whatever OCP does next (a retry of the batch that is
  // rejected again keeps the record once, by its fingerprint). The outbox's own records stay where
  // they are (rekept below).
  const toKeep = replayIds ? [] : keptRecords(batch, end.outcomes, { now, random, ...deps });
  // The events this batch applied, per key, in batch order (never the outbox's own: its records
  // settle themselves, and an older parked record must not supersede a newer one).
  const later = deps.supersede ? appliedEventsByKey(batch, end.outcomes) : new Map<string, unknown[]>();
  // A newly kept event supersedes what older kept records of its key hold, field by field.
  const laterKept = new Map<string, ParkedRecord[]>();
  for (const r of toKeep) {
    if (r.key !== undefined) laterKept.set(r.key, [...(laterKept.get(r.key) ?? []), r]);
  }
  const settledIds = new Set<string>();
  /** The outbox's own records rejected again because of Bynder's state: kept, with the new cause. */
  const rekept = new Map<string, { cause: string; keptFor: KeptCause }>();
  for (const o of end.outcomes) {
    for (const position of replayIds && o.status !== 'pending' ? o.records : []) {
      const id = replayIds?.[position] ?? '';
      if (o.status === 'rejected' && o.keptFor && deps.describeRejection) {
        rekept.set(id, { cause: shorten(deps.describeRejection(o), MAX_KEPT_CAUSE), keptFor: o.keptFor });
      } else settledIds.add(id);
    }
  }
  // Every row the outbox's own batch claimed from: its claims are released there.
  const replayedSlots = new Set<OutboxSlot>(
    replayIds ? replayIds.map((_, i) => batch.outboxSlots?.[i] ?? LEGACY_SLOT) : [],
  );
  const needsHead = later.size > 0;
  if (
    toPark.length === 0 &&
    toKeep.length === 0 &&
    !needsHead &&
    replayedSlots.size === 0 &&
    !deps.fence?.slots.length
  ) {
    return { ...NO_CHANGE, redelivery };
  }

  const change: OutboxChange = { ...NO_CHANGE, redelivery };
  try {
    const head = needsHead ? (deps.head ?? (await readOutboxHead(deps.kvStore))) : undefined;
    const slots = new Set<OutboxSlot>([...replayedSlots, ...(deps.fence?.slots ?? [])]);
    for (const r of [...toPark, ...toKeep]) slots.add(slotOf(r.key, r.fingerprint));
    for (const key of later.keys()) {
      const slot = slotOf(key, '');
      if ((head?.shards.get(slot)?.count ?? 0) > 0) slots.add(slot);
      if (head?.legacy.some((r) => r.key === key)) slots.add(LEGACY_SLOT);
    }
    const results: SlotResult[] = [];
    const stats = new Map<
      OutboxSlot,
      Pick<OutboxChange, 'parked' | 'replayed' | 'superseded' | 'trimmed' | 'held' | 'kept'>
    >();
    const settleSlot = async (slot: OutboxSlot) => {
      const fresh = toPark.filter((r) => slotOf(r.key, r.fingerprint) === slot);
      const freshKept = toKeep.filter((r) => slotOf(r.key, r.fingerprint) === slot);
      const result = await updateSlot(
        slot,
        (records) => {
          const tally = { parked: 0, replayed: 0, superseded: 0, trimmed: 0, held: 0, kept: 0 };
          const kept: ParkedRecord[] = [];
          for (const record of records) {
            if (settledIds.has(record.id)) {
              tally.replayed += 1;
              continue;
            }
            let r = released(record, batch.claimBy, deps.fence?.by);
            const again = rekept.get(r.id);
            if (again) r = keptAgain(r, again, deps.marks);
            const older = r.key !== undefined && r.parkedAt <= started;
            const events = [
              ...((older && r.key !== undefined && later.get(r.key)) || []),
              // (not by the same record kept again by a later attempt of the same batch)
              ...((isKept(r) && r.key !== undefined && laterKept.get(r.key)) || [])
                .filter((k) => k.fingerprint !== r.fingerprint)
                .map((k) => k.item),
            ];
            if (events.length > 0 && deps.supersede) {
              let item: unknown = r.item;
              for (const event of events) {
                if (item !== undefined) item = deps.supersede(item, event);
              }
              if (item === undefined) {
                tally.superseded += 1;
                continue;
              }
              if (item !== r.item) {
                tally.trimmed += 1;
                r = { ...r, item };
              }
            }
            kept.push(r);
          }
          // A later attempt of the same batch parks the same records again: keep them once.
          const known = new Set(kept.map((r) => r.fingerprint));
          const added = fresh.filter((r) => !known.has(r.fingerprint));
          const addedKept = freshKept.filter((r) => !known.has(r.fingerprint));
          tally.parked = added.length;
          stats.set(slot, tally);
          return [...kept, ...added, ...addedKept];
        },
        deps,
        fresh.length + freshKept.length > 0,
      );
      results.push(result);
      const counted = stats.get(slot);
      if (counted) {
        counted.held = fresh.filter((r) => result.fingerprints.has(r.fingerprint)).length;
        counted.kept = freshKept.filter((r) => result.fingerprints.has(r.fingerprint)).length;
      }
    };
    const slotWriter = pLimit(SLOT_WRITERS);
    await Promise.all([...slots].sort((a, b) => a - b).map((slot) => slotWriter(() => settleSlot(slot))));
    if (slots.size === 0) return { ...change, remaining: head ? parkedCount(head) : 0 };
    const written = await updateHead(results, deps, deps.marks);
    for (const s of stats.values()) {
      change.parked += s.parked;
      change.replayed += s.replayed;
      change.superseded += s.superseded;
      change.trimmed += s.trimmed;
      change.held += s.held;
      change.kept += s.kept;
    }
    const dropped = results.flatMap((r) => r.dropped);
    change.dropped = dropped.length;
    change.droppedKeys = dropped.slice(0, MAX_DROPPED_NOTES).map((d) => d.key ?? '(key not read)');
    const keptDropped = results.flatMap((r) => r.keptDropped);
    change.keptDropped = keptDropped.length;
    change.remaining = parkedCount(written);
    if (keptDropped.length > 0) {
      const keys = keptDropped.map((d) => d.key ?? '(key not read)').join(', ');
      deps.logger.warn(
        `Bynder outbox after sync ${JSON.stringify(batch.sync.name.slice(0, 100))}: ${keptDropped.length} records rejected because of Bynder's state were not kept for a retry, past the bound of ${KEPT_SHARD_BYTES.toLocaleString('en-US')} bytes of kept records per row (the oldest of their row; keys: ${shorten(keys, 1_000)}). Fix their cause in Bynder, then run the sync again for them.`,
      );
    }
  } catch (error) {
    const keys = toPark.map((r) => r.key ?? '(no key)').join(', ');
    deps.logger.error(
      `Could not write the outbox; ${toPark.length} records OCP ${redelivery === 'none' ? 'will' : 'may'} not deliver again are recorded only here: ${shorten(keys, 3_000)}`,
      error,
    );
    return { ...NO_CHANGE, redelivery };
  }
  logChange(change, batch, deps.logger);
  return change;
}

/** A record of the outbox's own batch rejected again because of Bynder's state: kept, tried once more. */
function keptAgain(
  record: ParkedRecord,
  again: { cause: string; keptFor: KeptCause },
  marks: KeptMarks | undefined,
): ParkedRecord {
  return {
    ...record,
    kind: 'kept',
    cause: again.cause,
    keptFor: again.keptFor,
    tries: (record.tries ?? 0) + (isKept(record) ? 1 : 0),
    ...(marks ? { marks } : {}),
  };
}

/** The record without the claim of `claimBy` and the fence of `fenceBy`. */
function released(
  record: ParkedRecord,
  claimBy: string | undefined,
  fenceBy: string | undefined,
): ParkedRecord {
  const { claim, fence, ...rest } = record;
  return {
    ...rest,
    ...(claim && claim.by !== claimBy ? { claim } : {}),
    ...(fence && fence.by !== fenceBy ? { fence } : {}),
  };
}

// ── Ordering replays and newer writes ───────────────────────────────────────────────────────────
// A replay must never reach Bynder after a newer write of the same key (a slow replay from one
// worker overwriting what another worker wrote since). This relies on Bynder applying one asset's
// accepted writes in the order they arrived, so "sent after" is what matters. Two holds, each taken
// with a compare-and-set on the record's row, keep the two apart:
// - a replay claims the records it sends (claimParked), skipping any a batch has fenced;
// - a batch about to write keys fences the parked records of those keys (fenceParked) before it
//   reads or writes Bynder; a key whose parked record a replay has claimed is not written by this
//   batch (it ends pending, so OCP retries it, or it is parked after the claimed one).
// Both holds end when their invocation settles the outbox, or HOLD_MARGIN_MS after its time budget.
// A record parked while a batch is under way is not older than the batch's events (their order is
// unknown, docs/delivery.md), so neither supersedes nor waits for the other.

/** The fences a batch took, released when it settles the outbox. */
export interface FenceTaken {
  by: string;
  slots: readonly OutboxSlot[];
}

/** Until when a hold taken now by an invocation with this time budget lasts. */
export function holdUntil(clock: Clock, timeBudgetMs: number): number {
  return clock.now() + timeBudgetMs + HOLD_MARGIN_MS;
}

/**
 * Fences the records parked (before `started`) for `keys`, so no replay sends them while this batch
 * writes; answers the keys a replay has claimed (this batch must not write them). No store call when
 * the head shows nothing parked for these keys.
 */
export async function fenceParked(
  keys: readonly string[],
  head: OutboxHead,
  deps: { kvStore: KeyValueStore; clock: Clock; by: string; until: number; started: number },
): Promise<{ claimed: Set<string>; fence: FenceTaken }> {
  const wanted = new Set(keys);
  const slots = new Set<OutboxSlot>();
  for (const key of wanted) {
    const slot = slotOf(key, '');
    if ((head.shards.get(slot)?.count ?? 0) > 0) slots.add(slot);
  }
  if (head.legacy.some((r) => r.key !== undefined && wanted.has(r.key))) slots.add(LEGACY_SLOT);
  const claimed = new Set<string>();
  for (const slot of slots) {
    let inSlot = new Set<string>();
    await updateSlot(
      slot,
      (records) => {
        inSlot = new Set();
        const now = deps.clock.now();
        return records.map((r) => {
          if (r.key === undefined || !wanted.has(r.key) || r.parkedAt > deps.started) return r;
          if (r.claim && r.claim.until > now) {
            inSlot.add(r.key);
            return r;
          }
          return { ...r, fence: { by: deps.by, until: deps.until } };
        });
      },
      deps,
    );
    for (const key of inSlot) claimed.add(key);
  }
  return { claimed, fence: { by: deps.by, slots: [...slots] } };
}

/**
 * Claims up to `max` parked records for one replay: in each key's parked order, skipping every
 * record of a key whose earlier record is fenced, claimed by another replay or past `max` (so a key's
 * records are never sent out of order). Answers the claimed records with their slots.
 */
export async function claimParked(
  head: OutboxHead,
  deps: {
    kvStore: KeyValueStore;
    clock: Clock;
    by: string;
    until: number;
    max: number;
    /** Which kept records to claim (a retry of them); absent: the parked records, no kept one. */
    kept?: (record: ParkedRecord) => boolean;
  },
): Promise<Array<{ record: ParkedRecord; slot: OutboxSlot }>> {
  const claimed: Array<{ record: ParkedRecord; slot: OutboxSlot }> = [];
  const wanted = deps.kept;
  // A kept record never holds back a parked one, nor the reverse: each kind is delivered on its own
  // occasion, and a later applied event supersedes either.
  const eligible = (r: ParkedRecord) => (wanted ? isKept(r) && wanted(r) : !isKept(r));
  let skipped = new Set<string>();
  for (const slot of occupiedSlots(head, wanted ? 'kept' : 'parked')) {
    if (claimed.length >= deps.max) break;
    let taken: ParkedRecord[] = [];
    let skippedHere = skipped;
    await updateSlot(
      slot,
      (records) => {
        taken = [];
        skippedHere = new Set(skipped);
        const now = deps.clock.now();
        return records.map((r) => {
          if (!eligible(r)) return r;
          const key = r.key ?? r.id;
          const held = (r.claim && r.claim.until > now) || (r.fence && r.fence.until > now);
          if (skippedHere.has(key) || held || claimed.length + taken.length >= deps.max) {
            skippedHere.add(key);
            return r;
          }
          const mine = { ...r, claim: { by: deps.by, until: deps.until } };
          taken.push(mine);
          return mine;
        });
      },
      deps,
    );
    skipped = skippedHere;
    claimed.push(...taken.map((record) => ({ record, slot })));
  }
  return claimed;
}

/** What one replay of the outbox did: how many records it tried, and deliver()'s answer for them. */
export interface OutboxReplay<R> {
  /** Records the replay claimed and put into its batch. */
  parked: number;
  /** The answer for the outbox's batch; undefined when delivering it threw (logged, records kept). */
  result: R | undefined;
}

/**
 * Delivers parked records as one batch through `deliver` (deliver()'s own steps, so it takes a
 * lease, uses the ledger and ends in settleOutbox, which removes what it settled and releases the
 * claims). The caller skips it while a rate-limit block is stored. `head` is the head the caller
 * read at its start (read here when absent).
 */
export async function replayOutbox<R>(
  current: OutboxBatch | undefined,
  deps: ReplayDeps,
  deliver: (batch: OutboxBatch) => Promise<R>,
  head?: OutboxHead,
): Promise<OutboxReplay<R> | undefined> {
  if (current?.outboxIds) return undefined; // the outbox's own batch does not replay itself
  const read = head ?? (await readOutboxHead(deps.kvStore));
  if (parkedCount(read) === 0) return undefined;
  return claimAndDeliver(read, deps, deliver, undefined, 'parked');
}

/** What a replay needs: the store, the log, the clock, the time budget its holds outlive. */
interface ReplayDeps {
  kvStore: KeyValueStore;
  logger: Logger;
  clock: Clock;
  timeBudgetMs: number;
  random?: Random;
}

/** What may have changed since kept records were last tried. */
export interface KeptOccasion {
  /** The marks of the batch now running: kept records tried under other marks are due. */
  marks?: KeptMarks;
  /** The scheduled job's look for the assets kept records did not find. */
  assets?: boolean;
}

/**
 * Delivers again the kept records whose cause may have changed: under `marks`, those kept under
 * another settings hash, and those rejected for an option under another field model; with `assets`,
 * those whose asset was not found. Once per change: the head's marks are moved to `marks` first (a
 * compare-and-set), so of the batches meeting a change only the one that moved them retries, and
 * none while nothing changed (no store call: the head was read anyway).
 */
export async function retryKept<R>(
  head: OutboxHead | undefined,
  occasion: KeptOccasion,
  deps: ReplayDeps,
  deliver: (batch: OutboxBatch) => Promise<R>,
): Promise<OutboxReplay<R> | undefined> {
  const read = head ?? (await readOutboxHead(deps.kvStore));
  if (keptCount(read) === 0) return undefined;
  const { marks, assets = false } = occasion;
  if (marks && !sameMarks(read.keptMarks, marks)) {
    let moved = false;
    try {
      const outcome = await updateStateRow(deps, OUTBOX_HEAD_ROW, (previous) => {
        moved = !sameMarks(previous.keptMarks, marks);
        return moved ? { ...previous, keptMarks: marks } : previous;
      });
      writtenOrThrow(outcome, KV_ROWS.outbox.key);
    } catch (error) {
      deps.logger.warn('Could not note the change that retries the kept records; they stay kept:', error);
      moved = false;
    }
    if (!moved && !assets) return undefined;
  } else if (!assets) return undefined;
  const due = (r: ParkedRecord): boolean =>
    (assets && r.keptFor === 'asset') ||
    (marks !== undefined &&
      (r.marks?.settings !== marks.settings || (r.keptFor === 'option' && r.marks.model !== marks.model)));
  return claimAndDeliver(read, deps, deliver, due, 'kept');
}

function sameMarks(a: KeptMarks | undefined, b: KeptMarks): boolean {
  return a?.model === b.model && a.settings === b.settings;
}

/** Claims records (parked ones, or the kept ones `kept` picks) and delivers them as one batch. */
async function claimAndDeliver<R>(
  head: OutboxHead,
  deps: ReplayDeps,
  deliver: (batch: OutboxBatch) => Promise<R>,
  kept: ((record: ParkedRecord) => boolean) | undefined,
  what: 'parked' | 'kept',
): Promise<OutboxReplay<R> | undefined> {
  const by = (deps.random ?? systemRandom).id();
  let claimed: Array<{ record: ParkedRecord; slot: OutboxSlot }>;
  try {
    const until = holdUntil(deps.clock, deps.timeBudgetMs);
    claimed = await claimParked(head, {
      ...deps,
      by,
      until,
      max: MAX_REPLAY_RECORDS,
      ...(kept ? { kept } : {}),
    });
  } catch (error) {
    deps.logger.error(`Could not claim the ${what} records of the outbox; they stay ${what}:`, error);
    return undefined;
  }
  if (claimed.length === 0) return undefined;
  // In the order parked (rows are by key, so this only orders keys among themselves).
  claimed.sort((a, b) => byParkedOrder(a.record, b.record));
  const batch: OutboxBatch = {
    items: claimed.map(({ record }) => record.item),
    attempt: OUTBOX_REPLAY_ATTEMPT,
    sync: OUTBOX_SYNC,
    outboxIds: claimed.map(({ record }) => record.id),
    outboxSlots: claimed.map(({ slot }) => slot),
    claimBy: by,
  };
  let result: R | undefined;
  try {
    result = await deliver(batch);
  } catch (error) {
    // The records stay in the outbox; the batch that asked goes on.
    deps.logger.error(`Delivering the ${claimed.length} ${what} records of the outbox failed:`, error);
  }
  // A delivery that failed before settling the outbox (settings unreadable, the store down) left
  // its claims: released here, so the next replay (the job's, a quarter of an hour later) can take
  // the records at once instead of waiting out the hold.
  await releaseClaims(new Set(claimed.map(({ slot }) => slot)), by, deps).catch((error: unknown) => {
    deps.logger.warn('Could not release the outbox claims of a failed replay; they end on their own:', error);
  });
  return { parked: claimed.length, result };
}

/** Removes the claims of `by` still on records of these slots; reads only when none is left. */
async function releaseClaims(
  slots: ReadonlySet<OutboxSlot>,
  by: string,
  deps: { kvStore: KeyValueStore; clock: Clock },
): Promise<void> {
  for (const slot of slots) {
    const row = await readStateRow(deps.kvStore, OUTBOX_SHARD_STATE_ROW, slotKey(slot));
    if (!row.records.some((r) => r.claim?.by === by)) continue;
    await updateSlot(slot, (records) => records.map((r) => released(r, by, undefined)), deps);
  }
}

function parkedRecords(
  batch: OutboxBatch,
  outcomes: readonly SettledRecord[],
  now: number,
  random: Random,
): ParkedRecord[] {
  const parked: Array<[number, ParkedRecord]> = [];
  for (const outcome of outcomes) {
    if (outcome.status !== 'pending') continue;
    for (const position of outcome.records) {
      const record = {
        id: random.id(),
        key: outcome.key,
        sync: batch.sync.id,
        item: batch.items[position],
        parkedAt: now,
        cause: outcome.cause,
        fingerprint: contentHash([batch.sync.id, boundedCanonicalForm(batch.items[position])]),
        position,
      };
      parked.push([position, record]);
    }
  }
  // In batch order, so replaying a key's events gives what applying them one by one gives.
  return parked.sort(([a], [b]) => a - b).map(([, record]) => record);
}

/** The records of rejections Bynder's state caused, in batch order, each with its cause in words. */
function keptRecords(
  batch: OutboxBatch,
  outcomes: readonly SettledRecord[],
  deps: Pick<OutboxSettleDeps, 'marks' | 'describeRejection'> & { now: number; random: Random },
): ParkedRecord[] {
  const { describeRejection } = deps;
  if (!describeRejection) return [];
  const kept: Array<[number, ParkedRecord]> = [];
  for (const outcome of outcomes) {
    if (outcome.status !== 'rejected' || !outcome.keptFor) continue;
    const cause = shorten(describeRejection(outcome), MAX_KEPT_CAUSE);
    for (const position of outcome.records) {
      const record: ParkedRecord = {
        id: deps.random.id(),
        key: outcome.key,
        sync: batch.sync.id,
        item: batch.items[position],
        parkedAt: deps.now,
        cause,
        fingerprint: contentHash([batch.sync.id, boundedCanonicalForm(batch.items[position])]),
        position,
        kind: 'kept',
        keptFor: outcome.keptFor,
        tries: 0,
        ...(deps.marks ? { marks: deps.marks } : {}),
      };
      kept.push([position, record]);
    }
  }
  return kept.sort(([a], [b]) => a - b).map(([, record]) => record);
}

function logChange(change: OutboxChange, batch: { sync: { name: string } }, logger: Logger): void {
  const total = change.parked + change.replayed + change.dropped + change.superseded + change.trimmed;
  if (total + change.kept === 0) return;
  const line = `Bynder outbox after sync ${JSON.stringify(batch.sync.name.slice(0, 100))}: ${change.parked} parked, ${change.kept} kept for a retry (rejected because of Bynder's state), ${change.replayed} delivered from it, ${change.superseded} superseded by newer events, ${change.trimmed} kept with fewer fields (newer events wrote the others), ${change.dropped} dropped past its bound of ${OUTBOX_SHARD_BYTES.toLocaleString('en-US')} bytes per row`;
  if (change.dropped > 0) {
    logger.warn(`${line} (the oldest of their row; keys: ${shorten(change.droppedKeys.join(', '), 1_000)})`);
  } else logger.info(line);
}

function headOf(row: HeadRowValue): OutboxHead {
  const shards = new Map<number, ShardCount>();
  for (const [slot, [count, version, kept]] of Object.entries(row.shards)) {
    shards.set(Number(slot), { count, version, kept: kept ?? 0 });
  }
  const held = new Map<number, { count: number; version: number }>();
  for (const [slot, [count, version]] of Object.entries(row.held ?? {})) {
    held.set(Number(slot), { count, version });
  }
  return {
    shards,
    held,
    legacy: row.records ?? [],
    droppedTotal: row.droppedTotal,
    dropped: row.dropped,
    keptDroppedTotal: row.keptDroppedTotal ?? 0,
    keptMarks: row.keptMarks,
  };
}

/** The number of deletes the head says are held (state/held-deletes.ts). */
export function heldCount(head: OutboxHead): number {
  let count = 0;
  for (const { count: n } of head.held.values()) count += n;
  return count;
}

/**
 * Tells the head what rows of held deletes now hold: a row's count is taken only with a higher
 * version than the head knows, so concurrent writers never make it forget a row that holds some.
 * Answers the head as written.
 */
export async function updateHeldIndex(
  rows: ReadonlyArray<{ slot: number; count: number; version: number }>,
  deps: { kvStore: KeyValueStore; clock: Clock },
): Promise<OutboxHead> {
  let written = headOf(OUTBOX_HEAD_ROW.empty());
  const outcome = await updateStateRow(deps, OUTBOX_HEAD_ROW, (previous) => {
    const held = new Map(headOf(previous).held);
    for (const r of rows) {
      if (r.version > (held.get(r.slot)?.version ?? 0)) held.set(r.slot, r);
    }
    const kept = [...held].filter(([, s]) => s.count > 0 || s.version > 0);
    const next = {
      ...previous,
      held: Object.fromEntries(
        kept.map(([slot, s]): [string, [number, number]] => [String(slot), [s.count, s.version]]),
      ),
    };
    written = headOf(next);
    return next;
  });
  writtenOrThrow(outcome, KV_ROWS.outbox.key);
  return written;
}

/**
 * The events a batch applied, per key, in batch order: what supersedes records kept for the key
 * (parked here, or held by the mass-delete threshold). None for the outbox's own batch: its records
 * settle themselves, and an older parked record must not supersede a newer one.
 */
export function appliedEventsByKey(
  batch: OutboxBatch,
  outcomes: readonly SettledRecord[],
): Map<string, unknown[]> {
  const later = new Map<string, unknown[]>();
  if (batch.outboxIds) return later;
  const positions = outcomes.flatMap((o) => {
    const { key } = o;
    return o.status === 'applied' && key !== undefined ? o.records.map((p) => [p, key] as const) : [];
  });
  for (const [position, key] of positions.sort(([a], [b]) => a - b)) {
    later.set(key, [...(later.get(key) ?? []), batch.items[position]]);
  }
  return later;
}

function byParkedOrder(a: ParkedRecord, b: ParkedRecord): number {
  return a.parkedAt - b.parkedAt || (a.position ?? 0) - (b.position ?? 0);
}

function byteSize(record: ParkedRecord): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + 1;
}
