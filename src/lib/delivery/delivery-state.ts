import { KV_ROWS, LEDGER_ROW } from '../state/kv-rows';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { shorten } from '../shorten';
import { contentHash } from './content-hash';
import { redeliveryAfter } from './delivery-attempt';
import type { BatchStop, RecordOutcome, RejectedOutcome } from './outcome';
import { reasonOf } from './outcome';
import { type PlannedWrite, writeFingerprint } from './plan';
import { boundedCanonicalForm } from './record-bounds';
import { updateSharedRow } from '../state/shared-row';

// What deliver() keeps between invocations, all in the install's kvStore (rows listed in
// src/lib/kv-rows.ts):
// - the applied ledger: while OCP may retry a batch, the fingerprints of the writes its attempts
//   applied (checkpointed during execution), so the retry sends only the rest;
// - the rejection log: the latest rejected records (key, field, reason), for the CLI and support;
// - the external-key cache: record key → asset id answers, because a lookup costs rate-limit budget.
// At most one read of each per batch, and at most three writes after it (plus the ledger's
// checkpoints, checkpoint.ts). A failed write is logged,
// not fatal: the batch's outcome stands (a lost ledger costs re-sends, a lost cache lookups).

// ── Applied ledger ────────────────────────────────────────────────────────────────────────────────
// A retry aid, never a cache of what Bynder holds: it lets OCP's retry of an attempt that left records
// pending skip what that attempt applied, and nothing else. So the row lives only while a retry may
// come: it is checkpointed while writes are accepted (checkpoint.ts), deleted once an attempt leaves
// nothing for OCP to retry (redeliveryAfter, delivery-attempt.ts), and trusted for at most
// LEDGER_TRUST_MS after its first entry. Read on every attempt, the first included: attempts count
// from 1, but whether OCP's re-run of an invocation it cut counts as a new attempt is not published.
// A changed record has a different fingerprint, so it is never skipped wrongly.

/**
 * How long after its first entry a ledger is trusted. OCP publishes neither its retry count nor its
 * back-off; its retries of one batch come within minutes. Past this, an identical batch is taken for
 * a new delivery and sent whole: a longer window would risk skipping a record edited in Bynder since,
 * a shorter one only costs requests.
 */
export const LEDGER_TRUST_MS = 60 * 60_000;

export interface Ledger {
  /** The kvStore key for this sync and batch content. */
  key: string;
  /** Write fingerprints an earlier attempt applied. */
  applied: ReadonlySet<string>;
}

/**
 * The ledger key: the sync id and the batch's items, so only the same batch finds it again. Each
 * item is hashed in its bounded form, so a hostile item (nested thousands deep) cannot make the key
 * throw and fail the whole batch.
 */
export function ledgerKeyOf(syncId: string, items: readonly unknown[]): string {
  return LEDGER_ROW.keyPrefix + contentHash([syncId, ...items.map(boundedCanonicalForm)]);
}

/** The fingerprints of a row still trusted now; none for a missing, malformed or too old row. */
function trustedFingerprints(row: Record<string, unknown>, clock: Clock): string[] {
  const since = sinceOf(row);
  if (since === undefined || clock.now() - since > LEDGER_TRUST_MS) return [];
  return Array.isArray(row.applied) ? row.applied.filter((h): h is string => typeof h === 'string') : [];
}

/** When the row's first entry was written; rows written before `since` existed carry only `updatedAt`. */
function sinceOf(row: Record<string, unknown>): number | undefined {
  const since = typeof row.since === 'number' ? row.since : row.updatedAt;
  return typeof since === 'number' && Number.isFinite(since) ? since : undefined;
}

/** The ledger for this batch (empty when no earlier attempt left one that is still trusted). */
export async function readLedger(
  kvStore: KeyValueStore,
  batch: { items: readonly unknown[]; sync: { id: string } },
  clock: Clock,
): Promise<Ledger> {
  const key = ledgerKeyOf(batch.sync.id, batch.items);
  return { key, applied: new Set(trustedFingerprints(await kvStore.get(key), clock)) };
}

/**
 * Adds what this attempt applied to the row. Merged in one patch, so a concurrent writer's entries
 * are kept; an untrusted row is started afresh. Fingerprints are made here, once.
 */
export async function writeLedger(
  kvStore: KeyValueStore,
  ledger: Ledger,
  appliedNow: readonly PlannedWrite[],
  clock: Clock,
): Promise<void> {
  const adding = [...ledger.applied, ...appliedNow.map(writeFingerprint)];
  // Merged into the stored row, not written over it: a concurrent attempt's fingerprints stay.
  await updateSharedRow(
    kvStore,
    ledger.key,
    (previous) => {
      const kept = trustedFingerprints(previous, clock);
      const now = clock.now();
      const since = kept.length > 0 ? (sinceOf(previous) ?? now) : now;
      return { applied: [...new Set([...kept, ...adding])], since, updatedAt: now };
    },
    { ttlSeconds: LEDGER_ROW.ttlSeconds, clock },
  );
}

/** Drops the row: the batch is done, so a later identical batch is a new delivery and sent whole. */
export async function deleteLedger(kvStore: KeyValueStore, ledger: Ledger): Promise<void> {
  await kvStore.delete(ledger.key);
}

// ── Rejection log ─────────────────────────────────────────────────────────────────────────────────
// Key, field and reason only (reasons never carry secrets; values in them are cut short). One row
// holds the most recent entries, appended with one patch per batch that rejected something.

export const MAX_REJECTION_LOG_ENTRIES = 500;
const MAX_STORED_TEXT = 300;

export interface RejectionLogEntry {
  /** When the batch ran (ms since epoch). */
  at: number;
  sync: string;
  key: string | undefined;
  /** How messages named the record, e.g. `asset_id "7C1D…"` or `record #4`. */
  subject: string;
  field: string | undefined;
  reason: string;
  /** How many events of the batch this covers (superseded events share their winner's reason). */
  records: number;
}

export async function appendRejections(
  kvStore: KeyValueStore,
  rejections: readonly RejectedOutcome[],
  context: { syncName: string; clock: Clock },
): Promise<void> {
  const added = rejectionEntries(rejections, context);
  if (added.length === 0) return;
  await updateSharedRow(
    kvStore,
    KV_ROWS.rejections.key,
    (previous) => ({
      entries: [...rejectionEntriesOf(previous), ...added].slice(-MAX_REJECTION_LOG_ENTRIES),
    }),
    { ttlSeconds: KV_ROWS.rejections.ttlSeconds, clock: context.clock },
  );
}

function rejectionEntries(
  rejections: readonly RejectedOutcome[],
  context: { syncName: string; clock: Clock },
): RejectionLogEntry[] {
  const at = context.clock.now();
  const cut = (text: string) => shorten(text, MAX_STORED_TEXT);
  const added: RejectionLogEntry[] = rejections.slice(-MAX_REJECTION_LOG_ENTRIES).map((r) => ({
    at,
    sync: cut(context.syncName),
    key: r.key === undefined ? undefined : cut(r.key),
    subject: r.subject,
    field: r.field,
    reason: cut(reasonOf(r)),
    records: r.records.length,
  }));
  return added;
}

/** Lines of at most this many characters, under OCP's 4,096-character log lines. */
const MAX_LOG_LINE = 3_500;

/**
 * When the rejection log cannot be written, every rejection goes to the error log instead, in as
 * many lines as it takes: failureReason names only the first few ("and 4 more"), and the rest must
 * be recorded somewhere.
 */
export function logUnstoredRejections(
  logger: Logger,
  rejections: readonly RejectedOutcome[],
  context: { syncName: string; clock: Clock },
): void {
  const entries = rejectionEntries(rejections, context).map(
    // The reason names the field already, as failureReason does.
    (e) => `${e.subject}${e.field === undefined ? ': ' : ' '}${e.reason}`,
  );
  const lines: string[] = [];
  for (const entry of entries) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last]?.length ?? 0) + entry.length + 3 <= MAX_LOG_LINE) {
      lines[last] += ` | ${entry}`;
    } else {
      lines.push(entry.slice(0, MAX_LOG_LINE));
    }
  }
  lines.forEach((line, i) =>
    logger.error(
      `Rejected records of sync ${JSON.stringify(context.syncName.slice(0, 100))} not kept in the rejection log (${i + 1}/${lines.length}): ${line}`,
    ),
  );
}

/** Empties the log, e.g. before a local run's attempt, so what it reads after is that attempt's. */
export async function clearRejectionLog(kvStore: KeyValueStore): Promise<void> {
  await kvStore.delete(KV_ROWS.rejections.key);
}

/** The kept rejections, oldest first. For the CLI and support tooling. */
export async function readRejectionLog(kvStore: KeyValueStore): Promise<RejectionLogEntry[]> {
  return rejectionEntriesOf(await kvStore.get(KV_ROWS.rejections.key));
}

function rejectionEntriesOf(row: Record<string, unknown>): RejectionLogEntry[] {
  const entries = row.entries;
  if (!Array.isArray(entries)) return [];
  return entries.filter(
    (e): e is RejectionLogEntry =>
      typeof e === 'object' && e !== null && typeof (e as RejectionLogEntry).reason === 'string',
  );
}

// ── External-key cache ────────────────────────────────────────────────────────────────────────────
// Record key → Bynder asset id in external-key mode, read once and written at most once per batch.
// Two parallel string lists, not a list of pairs: the SDK's stores hold lists of values, not of lists.

/** The row keeps the most recently used keys up to this many (a few tens of kB). */
export const MAX_CACHED_KEYS = 1_000;

export interface KeyCache {
  metaproperty: string;
  /** A Map, never an object keyed by record keys: keys such as "__proto__" stay plain data. Recency order. */
  ids: Map<string, string>;
  /** Whether this batch learned or forgot something, so the row needs writing. */
  changed: boolean;
}

export async function loadKeyCache(kvStore: KeyValueStore, metaproperty: string): Promise<KeyCache> {
  const row = await kvStore.get(KV_ROWS.externalKeys.key);
  const ids = new Map<string, string>();
  if (row.metaproperty === metaproperty && Array.isArray(row.keys) && Array.isArray(row.ids)) {
    const values = row.ids as unknown[];
    (row.keys as unknown[]).forEach((key, i) => {
      const id = values[i];
      if (typeof key === 'string' && typeof id === 'string') ids.set(key, id);
    });
  }
  return { metaproperty, ids, changed: false };
}

export async function saveKeyCache(kvStore: KeyValueStore, cache: KeyCache): Promise<void> {
  if (!cache.changed) return;
  const kept = [...cache.ids].slice(-MAX_CACHED_KEYS);
  const row = {
    metaproperty: cache.metaproperty,
    keys: kept.map(([key]) => key),
    ids: kept.map(([, id]) => id),
  };
  await kvStore.put(KV_ROWS.externalKeys.key, row, { ttl: KV_ROWS.externalKeys.ttlSeconds });
  cache.changed = false;
}

// ── After a batch ─────────────────────────────────────────────────────────────────────────────────

/**
 * Writes what must outlive this invocation: the ledger (kept only when the batch may be delivered
 * again: something pending and the answer retryable; otherwise it is done and the row deleted), the
 * rejection log (only when something was rejected) and the key cache (only when it changed). At most
 * three kvStore writes, side by side.
 */
export async function saveBatchState(
  outcomes: readonly RecordOutcome[],
  state: {
    /** The batch's checkpoint (startCheckpoint): closing it is all this needs. */
    checkpoint: { close: (keep: boolean) => Promise<void> };
    stop: BatchStop | undefined;
    keyCache: KeyCache | undefined;
    syncName: string;
    attempt: number;
  },
  deps: { kvStore: KeyValueStore; clock: Clock; logger: Logger },
): Promise<void> {
  const { kvStore, clock, logger } = deps;
  const rejected = outcomes.filter((o): o is RejectedOutcome => o.status === 'rejected');
  const writes: Array<[string, Promise<void>]> = [];
  if (state.keyCache) writes.push(['external key cache', saveKeyCache(kvStore, state.keyCache)]);
  const pending = outcomes.some((o) => o.status === 'pending');
  const again = pending && redeliveryAfter(state, state.stop?.retryable ?? true) !== 'none';
  writes.push(['applied ledger', state.checkpoint.close(again)]);
  if (rejected.length > 0) {
    writes.push(['rejection log', appendRejections(kvStore, rejected, { syncName: state.syncName, clock })]);
  }
  const results = await Promise.allSettled(writes.map(([, write]) => write));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      const what = writes[i]?.[0] ?? 'delivery record';
      logger.error(`Could not store the ${what}:`, result.reason);
      if (what === 'rejection log') {
        logUnstoredRejections(logger, rejected, { syncName: state.syncName, clock });
      }
    }
  });
}
