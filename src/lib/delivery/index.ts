// What the local tools (dev/) may use of the delivery core: the rows deliver() keeps for support,
// read the way deliver() writes them. Everything else in this folder is internal.

export type { AssetItem } from './asset-item';
export { MAX_REJECTION_LOG_ENTRIES, readRejectionLog, type RejectionLogEntry } from './delivery-state';
export { readRateLimitBlock } from './rate-limit-block';
