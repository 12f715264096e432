import { KV_ROWS } from '../kv-rows';
import type { Clock, KeyValueStore } from '../runtime-ports';
import { allPending, type BatchEnd } from './outcome';

// After a 429 Bynder blocks the caller's IP until it has been quiet for five minutes, and every
// request during the block extends it. So the first invocation that sees a 429 stores "blocked until"
// here, and every invocation reads it before sending anything (one kvStore read per batch).

const RATE_LIMIT_BLOCK_KEY = KV_ROWS.rateLimitBlock.key;
/** Bynder lifts the block after this long without requests (https://api.bynder.com/docs/getting-started). */
export const RATE_LIMIT_QUIET_MS = 5 * 60_000;

export interface RateLimitBlock {
  blockedUntil: number;
}

/** The block in force now, or undefined. */
export async function readRateLimitBlock(
  kvStore: KeyValueStore,
  clock: Clock,
): Promise<RateLimitBlock | undefined> {
  const row = await kvStore.get(RATE_LIMIT_BLOCK_KEY);
  const blockedUntil = row.blockedUntil;
  if (typeof blockedUntil !== 'number' || !Number.isFinite(blockedUntil)) return undefined;
  return blockedUntil > clock.now() ? { blockedUntil } : undefined;
}

/** The block a 429 answered now starts: Bynder's quiet period from now. */
export function blockAfterRateLimit(clock: Clock): RateLimitBlock {
  return { blockedUntil: clock.now() + RATE_LIMIT_QUIET_MS };
}

/** Stores the block; the row expires a minute after the block ends. */
export async function storeRateLimitBlock(
  kvStore: KeyValueStore,
  block: RateLimitBlock,
  clock: Clock,
): Promise<void> {
  const ttlSeconds = Math.max(60, Math.ceil((block.blockedUntil - clock.now()) / 1000) + 60);
  await kvStore.put(RATE_LIMIT_BLOCK_KEY, { blockedUntil: block.blockedUntil }, { ttl: ttlSeconds });
}

export function describeRateLimitBlock(block: RateLimitBlock): string {
  return `Bynder's rate limit was hit; sending is paused until ${new Date(block.blockedUntil).toISOString()} (Bynder lifts its block after five quiet minutes)`;
}

/** While blocked, the whole batch is handed back untouched: pending, retryable, no request sent. */
export function pausedByRateLimit(total: number, block: RateLimitBlock): BatchEnd {
  return {
    outcomes: allPending(total, 'not sent: Bynder rate-limit block'),
    stop: {
      message: describeRateLimitBlock(block),
      retryable: true,
      stoppedBy: { kind: 'rate_limit', blockedUntil: block.blockedUntil },
    },
  };
}
