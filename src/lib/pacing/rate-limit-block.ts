import { KV_ROWS } from '../state/kv-rows';
import type { Clock, KeyValueStore } from '../runtime-ports';

// After a 429 Bynder blocks the caller's IP until it has been quiet for five minutes, and every
// request during the block extends it. So any 429 this app sees, on any route, stores "blocked
// until" here (rate-limit-guard.ts), and every invocation reads it before its first request.
//
// Workers do not share a clock, so the row is written to tolerate skew: the stored end carries
// BLOCK_SKEW_MARGIN_MS on top of the quiet period, and it only ever moves later (a patch that keeps
// the larger end), so a worker whose clock is behind cannot shorten the block another one stored.
// A writer up to the margin behind still stores an end past the true one, and a reader up to the
// margin ahead still sees the block until the true end (the two skews together must stay under the
// margin). A clock far ahead could store an end hours away: the row's TTL, at most BLOCK_ROW_MAX_TTL
// seconds from the last write, bounds how long such an end can hold sending back.

const RATE_LIMIT_BLOCK_KEY = KV_ROWS.rateLimitBlock.key;
/** Bynder lifts the block after this long without requests (https://api.bynder.com/docs/getting-started). */
export const RATE_LIMIT_QUIET_MS = 5 * 60_000;
/** Added to every stored end: the clock skew between workers the block tolerates. */
export const BLOCK_SKEW_MARGIN_MS = 30_000;
/** The row never lives longer than this after its last write, whatever end a skewed clock stored. */
export const BLOCK_ROW_MAX_TTL_SECONDS = 15 * 60;

export interface RateLimitBlock {
  blockedUntil: number;
}

function storedEnd(row: Record<string, unknown>): number | undefined {
  const blockedUntil = row.blockedUntil;
  return typeof blockedUntil === 'number' && Number.isFinite(blockedUntil) ? blockedUntil : undefined;
}

/** The block in force now, or undefined. One kvStore read. */
export async function readRateLimitBlock(
  kvStore: KeyValueStore,
  clock: Clock,
): Promise<RateLimitBlock | undefined> {
  const blockedUntil = storedEnd(await kvStore.get(RATE_LIMIT_BLOCK_KEY));
  return blockedUntil !== undefined && blockedUntil > clock.now() ? { blockedUntil } : undefined;
}

/** The block a 429 answered now starts: Bynder's quiet period from now, plus the skew margin. */
export function blockAfterRateLimit(clock: Clock): RateLimitBlock {
  return { blockedUntil: clock.now() + RATE_LIMIT_QUIET_MS + BLOCK_SKEW_MARGIN_MS };
}

/**
 * Stores the block, keeping whichever end is later: this one or the one already stored (one kvStore
 * patch, compare-and-set by the store). Resolves to the end now in force. The row expires a minute
 * after that end, and never more than BLOCK_ROW_MAX_TTL_SECONDS after this write.
 */
export async function storeRateLimitBlock(
  kvStore: KeyValueStore,
  block: RateLimitBlock,
  clock: Clock,
): Promise<RateLimitBlock> {
  let kept = block.blockedUntil;
  await kvStore.patch(RATE_LIMIT_BLOCK_KEY, (previous, options) => {
    const stored = storedEnd(previous);
    kept = stored !== undefined && stored > block.blockedUntil ? stored : block.blockedUntil;
    const secondsLeft = Math.ceil((kept - clock.now()) / 1000) + 60;
    options.ttl = Math.min(BLOCK_ROW_MAX_TTL_SECONDS, Math.max(60, secondsLeft));
    return { blockedUntil: kept };
  });
  return { blockedUntil: kept };
}

export function describeRateLimitBlock(block: RateLimitBlock): string {
  return `Bynder's rate limit was hit; sending is paused until ${new Date(block.blockedUntil).toISOString()} (Bynder lifts its block after five quiet minutes, and every request during it restarts them)`;
}
