import type { KeyValueStore, Logger } from '../runtime-ports';

// Every kvStore row this app writes, in one place: key, TTL, owner, and whether it is only a cache
// (safe to drop at any time: it costs a request later, never a wrong answer). The owners import their
// key and TTL from here. The kvStore has no "list keys" operation, so uninstall can remove only rows
// whose keys are known: rows written under computed keys (the applied ledger) must carry a TTL.

const DAY_SECONDS = 24 * 60 * 60;

export interface KvRow {
  key: string;
  /** Seconds until the row expires; undefined: kept until overwritten or deleted (then bounded). */
  ttlSeconds: number | undefined;
  /** The module that reads and writes it. */
  owner: string;
  holds: string;
  /** A copy of what Bynder holds: dropping it costs a request, never correctness. */
  cache: boolean;
  /**
   * UTF-8 bytes of JSON the row may hold; a value over it is never written (state-row.ts). Well under
   * the about 400 KB per record OCP's store takes (STORE_RECORD_BYTES).
   */
  byteBudget: number;
  /**
   * A stored value this version cannot parse: `drop` reads it as empty and overwrites it (a cache, a
   * retry aid, a lock that ends anyway); `keep` leaves it unchanged and reports it (it may hold what
   * nothing else holds).
   */
  invalid: 'drop' | 'keep';
}

export const KV_ROWS = {
  metaproperties: {
    key: 'field_model_metaproperties',
    // Long, so an outage can be bridged with a stale copy (the copy is refreshed after 15 minutes).
    ttlSeconds: 7 * DAY_SECONDS,
    owner: 'src/lib/fields/metaproperty-cache.ts',
    holds:
      'the head of the cached metaproperties behind the field model: portal, fetch time, generation, slot, shard count and hash (under 1 KB)',
    cache: true,
    byteBudget: 300_000,
    invalid: 'drop',
  },
  fieldNamePins: {
    key: 'field_name_pins',
    // Never expires: a name, once offered, must keep meaning the same metaproperty. Bounded instead.
    ttlSeconds: undefined,
    owner: 'src/lib/fields/field-name-pins.ts',
    holds: 'the field name of every metaproperty ever offered, never reassigned (at most 2,000)',
    cache: false,
    byteBudget: 300_000,
    invalid: 'keep',
  },
  rateLimitBlock: {
    key: 'delivery_rate_limit_block',
    // Set per write: until a minute after the block ends, at most 15 minutes after the last write.
    ttlSeconds: undefined,
    owner: 'src/lib/pacing/rate-limit-block.ts',
    holds: "when Bynder's rate-limit block ends",
    cache: false,
    byteBudget: 1_000,
    invalid: 'drop',
  },
  requestBudget: {
    key: 'delivery_request_budget',
    // One small row, rewritten with every lease and read by every invocation: no TTL (an updater
    // cannot set one through every store), uninstall deletes it by its key.
    ttlSeconds: undefined,
    owner: 'src/lib/pacing/install-budget.ts',
    holds: "the first free slot of the install's request timeline (one number, and an update count)",
    cache: false,
    byteBudget: 1_000,
    invalid: 'drop',
  },
  externalKeys: {
    key: 'delivery_external_keys',
    ttlSeconds: DAY_SECONDS,
    owner: 'src/lib/delivery/key-cache.ts',
    holds: 'external key to asset id answers, the most recently used 1,000',
    cache: true,
    byteBudget: 200_000,
    invalid: 'drop',
  },
  readiness: {
    key: 'delivery_readiness',
    ttlSeconds: 2 * 60,
    owner: 'src/lib/settings/readiness.ts',
    holds: "ready()'s answer, kept a minute",
    cache: true,
    byteBudget: 8_000,
    invalid: 'drop',
  },
  rejections: {
    key: 'delivery_rejections',
    ttlSeconds: undefined,
    owner: 'src/lib/state/rejection-log.ts',
    holds: 'the latest rejected records (key, field, reason), the last 500 that fit its byte budget',
    cache: false,
    byteBudget: 300_000,
    invalid: 'keep',
  },
  notices: {
    key: 'delivery_notices',
    // No TTL (an updater cannot set one through every store): bounded instead, and uninstall deletes it.
    ttlSeconds: undefined,
    owner: 'src/lib/notices/notice-throttle.ts',
    holds: 'which Activity Log notice was sent when, per cause and sync (the last hour, at most 500)',
    cache: false,
    byteBudget: 200_000,
    invalid: 'drop',
  },
  recentWrites: {
    key: 'delivery_recent_writes',
    // Longer than any entry lives (the 5-minute window after a batch's 45-second time budget), and
    // set on every write, so the row ends a few minutes after the last write.
    ttlSeconds: 10 * 60,
    owner: 'src/lib/state/recent-writes.ts',
    holds:
      'the assets written in the last few minutes, which change detection always writes again (at most 3,000)',
    cache: false,
    byteBudget: 200_000,
    invalid: 'drop',
  },
  outbox: {
    key: 'delivery_outbox',
    // Never expires: it names the shard rows holding records OCP will not send again. A few kB.
    ttlSeconds: undefined,
    owner: 'src/lib/state/outbox.ts',
    holds:
      'which outbox shard rows hold parked records (count and version of each), and what was dropped past their byte bound',
    cache: false,
    byteBudget: 300_000,
    invalid: 'keep',
  },
  optionClaims: {
    key: 'delivery_option_claims',
    // Claims live a minute, the created ids an hour; set on every write, so the row ends an hour after.
    ttlSeconds: 60 * 60,
    owner: 'src/lib/state/option-claims.ts',
    holds: 'which invocation creates which new option, and the id it got (the last hour, at most 500)',
    cache: false,
    byteBudget: 100_000,
    invalid: 'drop',
  },
  deleteCounts: {
    key: 'delivery_delete_counts',
    // An hour of counts is all the threshold reads; the row ends an hour after its last write.
    ttlSeconds: 60 * 60,
    owner: 'src/lib/state/delete-quota.ts',
    holds:
      'deletes and archives sent per sync in the last hour, in 5-minute slots (the mass-delete threshold), at most 200 syncs',
    cache: false,
    byteBudget: 50_000,
    // Counts for a threshold: an unreadable row starts afresh (at worst an hour's deletes go unheld once).
    invalid: 'drop',
  },
  syncStatus: {
    key: 'delivery_sync_status',
    // Never expires: it holds the counts since install (a few hundred bytes); deleted on uninstall.
    ttlSeconds: undefined,
    owner: 'src/lib/state/sync-status.ts',
    holds:
      'counts since install (rejected, held, released, discarded, parked, dropped) and when the Sync status text was last written',
    cache: false,
    byteBudget: 8_000,
    invalid: 'drop',
  },
} as const satisfies Record<string, KvRow>;

/**
 * The state of one batch while OCP may deliver it again: its applied ledger and its lease, in one row
 * under this prefix plus a hash of the sync and the batch (one row, so taking the lease reads the
 * ledger, and ending the batch releases both).
 */
export const LEDGER_ROW = {
  key: 'delivery_ledger_',
  // Trusted for an hour after its first entry (LEDGER_TRUST_MS); an hour after its last write it is
  // surely past that, so it expires then. Deleted earlier, when the batch leaves nothing to retry.
  ttlSeconds: 60 * 60,
  owner: 'src/lib/state/ledger.ts (checkpointed by checkpoint.ts, leased by batch-lease.ts)',
  holds:
    'fingerprints of the writes attempts of one batch applied, while OCP may retry it, and which invocation delivers it until when',
  cache: false,
  // About 4,000 fingerprints (32 hex characters each); a batch larger than that keeps re-sending some.
  byteBudget: 150_000,
  // A retry aid and a lock that ends by itself: an unreadable one is started afresh.
  invalid: 'drop',
} as const satisfies KvRow;

// Earlier versions kept a batch's lease in its own row, `delivery_lease_<hash>` with a 5-minute
// TTL: no longer written or read, such rows end on their own.

/** The outbox's records: this prefix plus the shard number (0 to count - 1), by a hash of the key. */
export const OUTBOX_SHARD_ROW = {
  key: 'delivery_outbox_',
  keyPrefix: 'delivery_outbox_',
  count: 256,
  // Never expires (records OCP will not send again); bounded instead, in bytes (OUTBOX_SHARD_BYTES).
  ttlSeconds: undefined,
  owner: 'src/lib/state/outbox.ts',
  holds:
    "records parked for the app to deliver itself, and records kept for a retry because Bynder's state rejected them (at most 64,000 bytes of those), at most 256,000 bytes of records per row",
  cache: false,
  // The records' bound (OUTBOX_SHARD_BYTES, 256,000) plus room for claims, fences and the version.
  byteBudget: 300_000,
  // Parked records OCP will not send again: never overwritten because this version cannot read them.
  invalid: 'keep',
} as const satisfies KvRow & { count: number; keyPrefix: string };

/**
 * Deletes and archives held back by the mass-delete threshold (src/lib/state/held-deletes.ts): this
 * prefix plus the shard number (0 to count - 1), by a hash of the record key, so every held event of
 * a key is in one row. Bounded in bytes (HELD_SHARD_BYTES); what does not fit is rejected, counted and
 * reported, never dropped silently. The outbox head (`delivery_outbox`) keeps each shard's count, so
 * a batch learns whether anything is held from the read it makes anyway.
 */
export const HELD_DELETES_ROW = {
  key: 'delivery_held_',
  keyPrefix: 'delivery_held_',
  count: 16,
  // Never expires: held deletes wait for an administrator (release or discard); deleted on uninstall.
  ttlSeconds: undefined,
  owner: 'src/lib/state/held-deletes.ts',
  holds: 'deletes and archives held back by the mass-delete threshold, at most 200,000 bytes per row',
  cache: false,
  byteBudget: 250_000,
  // What nothing else holds: never overwritten because this version cannot read it.
  invalid: 'keep',
} as const satisfies KvRow & { count: number; keyPrefix: string };

/**
 * The cached metaproperties themselves: this prefix plus the slot (0 or 1) and the shard number
 * (0 to perSlot - 1). Two slots, so a copy is written beside the one readers use and switched last.
 */
export const METAPROPERTY_SHARD_ROW = {
  key: 'field_model_metaproperties_',
  keyPrefix: 'field_model_metaproperties_',
  slots: 2,
  perSlot: 64,
  // An hour longer than the head's, as the shards are written before it.
  ttlSeconds: KV_ROWS.metaproperties.ttlSeconds + 60 * 60,
  owner: 'src/lib/fields/metaproperty-cache.ts',
  holds: 'a piece of the cached metaproperties JSON and its generation, at most 256,000 bytes per row',
  cache: true,
  // Bytes of one row as stored (its JSON, UTF-8): 64 rows hold about 16 MB, some 250,000 options.
  // The copy is cut into parts that fit it (metaproperty-cache.ts).
  byteBudget: 256_000,
  // A shard that does not parse makes its copy a miss: listed again.
  invalid: 'drop',
} as const satisfies KvRow & { keyPrefix: string; slots: number; perSlot: number };

export function metapropertyShardKey(slot: number, index: number): string {
  return `${METAPROPERTY_SHARD_ROW.keyPrefix}${slot}_${index}`;
}

/**
 * The creation ledger: this prefix plus a hash of the external key metaproperty and the key. Written
 * with compare-and-set at every step of a creation (claim, uploaded, saving, created), at most
 * CREATION_ROW_BYTES (110,000) bytes (src/lib/state/creation-ledger.ts, zod schema creationEntrySchema).
 */
export const CREATION_ROW = {
  key: 'creation_',
  keyPrefix: 'creation_',
  // A day after its last write: past the longest a queued creation waits for the job, and past
  // Bynder's search index catching up with a new asset (seconds to minutes), during which the row
  // answers for the key that a lookup does not find yet.
  ttlSeconds: DAY_SECONDS,
  owner: 'src/lib/state/creation-ledger.ts',
  holds: 'one creation of an asset from a record: its claim, upload, import, asset id or why it failed',
  cache: false,
  byteBudget: 110_000,
  // Only this app writes it, through one schema: a value that does not parse is an older shape.
  invalid: 'drop',
} as const satisfies KvRow & { keyPrefix: string };

/** The creation queue's index (src/lib/state/creation-ledger.ts): row keys of queued creations. */
export const CREATION_QUEUE_ROW = {
  key: 'creation_queue',
  // Never expires while creations are queued: the job takes them off as they end. At most 1,000
  // entries (about 60 kB, schema queueSchema); deleted on uninstall.
  ttlSeconds: undefined,
  owner: 'src/lib/state/creation-ledger.ts',
  holds: 'the creations handed to the creation job, oldest first (row key and when), at most 1,000',
  cache: false,
  byteBudget: 100_000,
  invalid: 'keep',
} as const satisfies KvRow;

/** Every fixed row, in the order uninstall deletes them (the outbox's and the metaproperties' shards included). */
export const APP_KV_ROWS: readonly KvRow[] = [
  ...Object.values(KV_ROWS),
  CREATION_QUEUE_ROW,
  ...Array.from({ length: METAPROPERTY_SHARD_ROW.slots * METAPROPERTY_SHARD_ROW.perSlot }, (_, n) => ({
    ...METAPROPERTY_SHARD_ROW,
    key: metapropertyShardKey(
      Math.floor(n / METAPROPERTY_SHARD_ROW.perSlot),
      n % METAPROPERTY_SHARD_ROW.perSlot,
    ),
  })),
  ...Array.from({ length: OUTBOX_SHARD_ROW.count }, (_, n) => ({
    ...OUTBOX_SHARD_ROW,
    key: `${OUTBOX_SHARD_ROW.key}${n}`,
  })),
  ...Array.from({ length: HELD_DELETES_ROW.count }, (_, n) => ({
    ...HELD_DELETES_ROW,
    key: `${HELD_DELETES_ROW.key}${n}`,
  })),
];

/** Deletes every fixed row; a failed delete is logged and named, the rest still go. */
export async function deleteAppKvRows(kvStore: KeyValueStore, logger: Logger): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  for (const { key } of APP_KV_ROWS) {
    try {
      await kvStore.delete(key);
    } catch (error) {
      failed.push(key);
      logger.warn(
        `Could not delete kvStore row ${key}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { failed };
}
