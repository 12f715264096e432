import type { ResponseInfo } from '../bynder/client-options';
import { BynderRateLimitBlockedError } from '../bynder/errors';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import {
  blockAfterRateLimit,
  type RateLimitBlock,
  readRateLimitBlock,
  storeRateLimitBlock,
} from './rate-limit-block';

// Every Bynder client the app builds (deliver(), the schema function, ready(), the settings form)
// goes through one of these, so no path can send into a block or see a 429 without storing it:
// - before the first request it reads the stored block once (one kvStore read per invocation), and
//   while a block is in force every request is refused with BynderRateLimitBlockedError, unsent;
// - after any 429, on any route (listing, options, lookups, token requests, writes), it stores the
//   block (one kvStore patch) before the 429 reaches the caller, and refuses every later request.

export interface RateLimitGuard {
  /** Awaited before every HTTP attempt; throws BynderRateLimitBlockedError while a block lasts. */
  beforeRequest: () => Promise<void>;
  /** Called after every attempt; a 429 stores the block (a failed store is logged, never thrown). */
  onResponse: (info: ResponseInfo) => Promise<void>;
  /** The block this invocation knows of (read or seen), if still in force. */
  current: () => RateLimitBlock | undefined;
}

export interface RateLimitGuardDeps {
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  /**
   * The caller already read the stored block (deliver() does, with its config): pass what it read,
   * `undefined` included, and no second read is made.
   */
  alreadyRead?: { block: RateLimitBlock | undefined };
}

export function createRateLimitGuard(deps: RateLimitGuardDeps): RateLimitGuard {
  const { kvStore, clock, logger } = deps;
  let known: RateLimitBlock | undefined = deps.alreadyRead?.block;
  let read: Promise<void> | undefined = deps.alreadyRead ? Promise.resolve() : undefined;

  const later = (block: RateLimitBlock): void => {
    if (!known || block.blockedUntil > known.blockedUntil) known = block;
  };
  const current = (): RateLimitBlock | undefined =>
    known && known.blockedUntil > clock.now() ? known : undefined;

  return {
    beforeRequest: async () => {
      read ??= readRateLimitBlock(kvStore, clock).then((stored) => {
        if (stored) later(stored);
      });
      await read;
      const block = current();
      if (block) throw new BynderRateLimitBlockedError(block.blockedUntil);
    },
    onResponse: async (info) => {
      if (info.status !== 429) return;
      const seen = blockAfterRateLimit(clock);
      later(seen);
      try {
        later(await storeRateLimitBlock(kvStore, seen, clock));
      } catch (error) {
        logger.error(
          `Could not store the Bynder rate-limit block after a 429 on ${info.route}; other invocations may send into it:`,
          error,
        );
      }
    },
    current,
  };
}
