import { KV_ROWS } from './kv-rows';
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
import { updateSharedRow } from './shared-row';

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
// A parked record is superseded by any later batch that applies an event for its key: it is
// dropped then (the newer event won).
// Cost: one read per batch; one increment and one patch when something is parked or dropped.

/** The outbox holds at most this many records (a few hundred kB at most); past it the oldest go. */
export const MAX_PARKED_RECORDS = 200;
/** The row names the keys of the last this many records dropped past the bound. */
const MAX_DROPPED_NOTES = 20;
/** The sync id of the batch that delivers the outbox (OCP's sync ids are UUIDs: no clash). */
export const OUTBOX_SYNC = { id: 'bynder-outbox', name: 'parked records (outbox)' } as const;

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
}

export interface DroppedNote {
  key: string | undefined;
  sync: string;
  droppedAt: number;
}

export interface OutboxContents {
  records: ParkedRecord[];
  /** Records dropped past MAX_PARKED_RECORDS since the outbox was created. */
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
}

/**
 * A record's outcome as the outbox reads it (delivery/outcome.ts's RecordOutcome fits): which batch
 * positions it covers, its key, and for a pending one why it was not applied.
 */
export type SettledRecord = { key: string | undefined; records: readonly number[] } & (
  { status: 'applied' | 'rejected' } | { status: 'pending'; cause: string }
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
  /** Dropped past the bound. */
  dropped: number;
  /** Dropped because a later batch applied the same key. */
  superseded: number;
}

const NO_CHANGE: Omit<OutboxChange, 'redelivery'> = {
  parked: 0,
  replayed: 0,
  dropped: 0,
  superseded: 0,
  held: 0,
  remaining: 0,
};

export async function readOutbox(kvStore: KeyValueStore): Promise<OutboxContents> {
  return contentsOf(await kvStore.get(KV_ROWS.outbox.key));
}

/**
 * The step after a batch's outcome: parks what OCP will not deliver again, drops what this batch
 * superseded, and (for the outbox's own batch) removes what it settled. Never throws: a failed write
 * is logged with the records it could not park, since nothing else holds them.
 */
export async function settleOutbox(
  batch: OutboxBatch,
  end: SettledBatch,
  started: number,
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger; random?: Random },
): Promise<OutboxChange> {
  const replayIds = batch.outboxIds;
  const pending = end.outcomes.some((o) => o.status === 'pending');
  const redelivery = redeliveryAfter(batch, asksForRetry(pending, end.stop));
  const toPark =
    replayIds || redelivery === 'expected'
      ? []
      : parkedRecords(batch, end.outcomes, deps.clock.now(), deps.random ?? systemRandom);
  const appliedKeys = new Set(
    end.outcomes.flatMap((o) => (o.status === 'applied' && o.key !== undefined ? [o.key] : [])),
  );
  // The outbox's own batch settles the records whose positions ended applied or rejected.
  const settledIds = new Set(
    end.outcomes.flatMap((o) =>
      o.status === 'pending' || !replayIds ? [] : o.records.map((position) => replayIds[position] ?? ''),
    ),
  );
  if (toPark.length === 0 && appliedKeys.size === 0 && settledIds.size === 0) {
    return { ...NO_CHANGE, redelivery };
  }

  const change: OutboxChange = { ...NO_CHANGE, redelivery };
  const update = (row: StoredRow): StoredRow => {
    const contents = contentsOf(row);
    const unsettled = contents.records.filter((r) => !settledIds.has(r.id));
    // Only records parked before this batch started: a newer event parked meanwhile stays.
    const kept = unsettled.filter(
      (r) => !(r.parkedAt <= started && r.key !== undefined && appliedKeys.has(r.key)),
    );
    // A later attempt of the same batch parks the same records again: keep them once.
    const known = new Set(kept.map((r) => r.fingerprint));
    const fresh = toPark.filter((r) => !known.has(r.fingerprint));
    const all = [...kept, ...fresh];
    const over = Math.max(0, all.length - MAX_PARKED_RECORDS);
    const droppedNow = all.slice(0, over);
    Object.assign(change, {
      parked: fresh.length,
      replayed: contents.records.length - unsettled.length,
      superseded: unsettled.length - kept.length,
      dropped: droppedNow.length,
    });
    const notes = droppedNow.map((r) => ({ key: r.key, sync: r.sync, droppedAt: deps.clock.now() }));
    const records = all.slice(over);
    const stored = new Set(records.map((r) => r.fingerprint));
    change.held = toPark.filter((r) => stored.has(r.fingerprint)).length;
    change.remaining = records.length;
    return {
      records,
      droppedTotal: contents.droppedTotal + droppedNow.length,
      dropped: [...contents.dropped, ...notes].slice(-MAX_DROPPED_NOTES),
    };
  };
  try {
    await updateSharedRow(deps.kvStore, KV_ROWS.outbox.key, update, {
      ttlSeconds: KV_ROWS.outbox.ttlSeconds,
      clock: deps.clock,
      ...(deps.random ? { random: deps.random } : {}),
    });
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

/** A batch as settleOutbox sees it; the outbox's own batch carries the outbox id of each position. */
export interface OutboxBatch {
  items: readonly unknown[];
  attempt: number;
  sync: { id: string; name: string };
  outboxIds?: readonly string[];
}

/** What one replay of the outbox did: how many records it tried, and deliver()'s answer for them. */
export interface OutboxReplay<R> {
  /** Records the outbox held when the replay started (all of them went into its batch). */
  parked: number;
  /** The answer for the outbox's batch; undefined when delivering it threw (logged, records kept). */
  result: R | undefined;
}

/**
 * Delivers the parked records as one batch through `deliver` (deliver()'s own steps, so it takes a
 * lease, uses the ledger and ends in settleOutbox, which removes what it settled). The caller skips
 * it while a rate-limit block is stored. Undefined when nothing is parked (or `current` is the
 * outbox's own batch).
 */
export async function replayOutbox<R>(
  current: OutboxBatch | undefined,
  deps: { kvStore: KeyValueStore; logger: Logger },
  deliver: (batch: OutboxBatch) => Promise<R>,
): Promise<OutboxReplay<R> | undefined> {
  if (current?.outboxIds) return undefined; // the outbox's own batch does not replay itself
  const { records } = await readOutbox(deps.kvStore);
  if (records.length === 0) return undefined;
  const batch: OutboxBatch = {
    items: records.map((r) => r.item),
    attempt: OUTBOX_REPLAY_ATTEMPT,
    sync: OUTBOX_SYNC,
    outboxIds: records.map((r) => r.id),
  };
  try {
    return { parked: records.length, result: await deliver(batch) };
  } catch (error) {
    // The records stay parked; the batch that asked for the replay goes on.
    deps.logger.error(`Delivering the ${records.length} parked records of the outbox failed:`, error);
    return { parked: records.length, result: undefined };
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
      };
      parked.push([position, record]);
    }
  }
  // In batch order, so replaying a key's events gives what applying them one by one gives.
  return parked.sort(([a], [b]) => a - b).map(([, record]) => record);
}

function logChange(change: OutboxChange, batch: { sync: { name: string } }, logger: Logger): void {
  if (change.parked + change.replayed + change.dropped + change.superseded === 0) return;
  const line = `Bynder outbox after sync ${JSON.stringify(batch.sync.name.slice(0, 100))}: ${change.parked} parked, ${change.replayed} delivered from it, ${change.superseded} superseded by newer events, ${change.dropped} dropped past its ${MAX_PARKED_RECORDS}-record bound`;
  if (change.dropped > 0) logger.warn(`${line} (the oldest; their keys are in the outbox row's "dropped")`);
  else logger.info(line);
}

function contentsOf(row: StoredRow): OutboxContents {
  const records = Array.isArray(row.records) ? row.records.filter(isParkedRecord) : [];
  const dropped = Array.isArray(row.dropped) ? (row.dropped as DroppedNote[]) : [];
  const droppedTotal = typeof row.droppedTotal === 'number' ? row.droppedTotal : 0;
  return { records, droppedTotal, dropped };
}

function isParkedRecord(value: unknown): value is ParkedRecord {
  const r = value as Partial<ParkedRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.parkedAt === 'number';
}
