// What the local tools (dev/) may use of the delivery core: the rows deliver() keeps for support
// (from src/lib/state), read the way deliver() writes them, the paced client (src/lib/pacing), and
// the pure planning step the bench measures. Everything else in this folder is internal.

export { type AssetItem, DELETED_MARKER } from './asset-item';
export { FIRST_ATTEMPT } from '../delivery-attempt';
export {
  clearRejectionLog,
  MAX_REJECTION_LOG_ENTRIES,
  readRejectionLog,
  type RejectionLogEntry,
} from '../state/rejection-log';
export {
  OUTBOX_SHARD_BYTES,
  OUTBOX_SHARDS,
  type OutboxContents,
  type ParkedRecord,
  readOutbox,
  slotKey,
} from '../state/outbox';
export { createPacedClient } from '../pacing/paced-client';
export { planBatch, type PlanPolicy } from './plan';
export { readRateLimitBlock } from '../pacing/rate-limit-block';
export { readRecordKey } from './record-key';
export { readBatchLine } from './outcome';
