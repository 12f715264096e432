import { logger } from '@zaiusinc/app-sdk';

import { readBatchLine } from '../../../../src/lib/delivery';

// How many records of each batch Bynder already held (change detection applied them without a
// write), read from the one line the app logs per delivered batch. Captured by wrapping the SDK's
// public `logger.info` (the wrapper reads the line, then calls the SDK's own), so it works the same
// with the real SDK and the stand-in; restore() puts the SDK's function back.

export interface BatchLineCapture {
  /** Unchanged records in the lines of `syncName` logged since the last take(); resets the count. */
  takeUnchanged(syncName: string): number;
  restore(): void;
}

export function captureBatchLines(): BatchLineCapture {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back as it was
  const original = logger.info;
  // The SDK's logger.info is overloaded (a visibility first, or not); this forwards what it got.
  const forward: (...forwarded: unknown[]) => void = original;
  let lines: string[] = [];
  logger.info = (...args: unknown[]) => {
    if (typeof args[0] === 'string') lines.push(args[0]);
    forward.apply(logger, args);
  };
  return {
    takeUnchanged(syncName) {
      const taken = lines;
      lines = [];
      let unchanged = 0;
      for (const line of taken) {
        const counts = readBatchLine(line);
        if (counts && counts.syncName === syncName.slice(0, 100)) unchanged += counts.unchanged;
      }
      return unchanged;
    },
    restore: () => {
      logger.info = original;
    },
  };
}
