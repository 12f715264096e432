import { z } from 'zod';

import { KV_ROWS } from '../state/kv-rows';
import type { Clock, KeyValueStore, StoredRow } from '../runtime-ports';
import { readStateRow, stateRow, updateStateRow } from '../state/state-row';

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

/** Bynder lifts the block after this long without requests (https://api.bynder.com/docs/getting-started). */
export const RATE_LIMIT_QUIET_MS = 5 * 60_000;
/** Added to every stored end: the clock skew between workers the block tolerates. */
export const BLOCK_SKEW_MARGIN_MS = 30_000;
/** The row never lives longer than this after its last write, whatever end a skewed clock stored. */
export const BLOCK_ROW_MAX_TTL_SECONDS = 15 * 60;

export interface RateLimitBlock {
  blockedUntil: number;
}

interface BlockRowValue extends StoredRow {
  blockedUntil?: number;
}

/** The row expires a minute after the block's end, and never more than BLOCK_ROW_MAX_TTL_SECONDS on. */
export const RATE_LIMIT_BLOCK_ROW = stateRow<BlockRowValue>(KV_ROWS.rateLimitBlock, {
  schema: z.object({ blockedUntil: z.number().finite().optional() }),
  empty: () => ({}),
  ttlFor: (value, now) => {
    const secondsLeft = Math.ceil(((value.blockedUntil ?? now) - now) / 1000) + 60;
    return Math.min(BLOCK_ROW_MAX_TTL_SECONDS, Math.max(60, secondsLeft));
  },
});

/** The block in force now, or undefined. One kvStore read. */
export async function readRateLimitBlock(
  kvStore: KeyValueStore,
  clock: Clock,
): Promise<RateLimitBlock | undefined> {
  const { blockedUntil } = await readStateRow(kvStore, RATE_LIMIT_BLOCK_ROW);
  return blockedUntil !== undefined && blockedUntil > clock.now() ? { blockedUntil } : undefined;
}

/** The block a 429 answered now starts: Bynder's quiet period from now, plus the skew margin. */
export function blockAfterRateLimit(clock: Clock): RateLimitBlock {
  return { blockedUntil: clock.now() + RATE_LIMIT_QUIET_MS + BLOCK_SKEW_MARGIN_MS };
}

/**
 * Stores the block, keeping whichever end is later: this one or the one already stored (one
 * compare-and-set update; nothing written when the stored end is later). Resolves to the end now in force. The row expires a minute
 * after that end, and never more than BLOCK_ROW_MAX_TTL_SECONDS after this write.
 */
export async function storeRateLimitBlock(
  kvStore: KeyValueStore,
  block: RateLimitBlock,
  clock: Clock,
): Promise<RateLimitBlock> {
  const outcome = await updateStateRow({ kvStore, clock }, RATE_LIMIT_BLOCK_ROW, (previous) =>
    previous.blockedUntil !== undefined && previous.blockedUntil >= block.blockedUntil
      ? previous
      : { blockedUntil: block.blockedUntil },
  );
  return { blockedUntil: outcome.value.blockedUntil ?? block.blockedUntil };
}

export function describeRateLimitBlock(block: RateLimitBlock): string {
  return `Bynder's rate limit was hit; sending is paused until ${new Date(block.blockedUntil).toISOString()} (Bynder lifts its block after five quiet minutes, and every request during it restarts them)`;
}
