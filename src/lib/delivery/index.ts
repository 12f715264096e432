// What code outside the delivery core (the local runner and the bench in dev/) may use of it.
// Everything else in this folder is internal and may move; kvStore keys stay behind these functions.
// Plain re-exports only, so the list is the whole surface.

export type { AssetItem } from './asset-item';
export { DELETED_MARKER } from './asset-item';
export type { PlanPolicy } from './plan';
export { planBatch } from './plan';
export { readRateLimitBlock } from './rate-limit-block';
export { readRecordKey } from './record-key';
export type { RejectionLogEntry } from './rejection-log';
export { clearRejectionLog, MAX_REJECTION_LOG_ENTRIES, readRejectionLog } from './rejection-log';
