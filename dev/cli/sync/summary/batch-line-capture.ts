import { logger } from '@zaiusinc/app-sdk';

import { readBatchLine } from '../../../../src/lib/delivery';

// How many records of each batch Bynder already held (change detection applied them without a
// write), read from the one line the app logs per delivered batch. Captured by wrapping the SDK's
// public `logger.info` (the wrapper reads the line, then calls the SDK's own), so it works the same
// with the real SDK and the stand-in; restore() puts the SDK's function back.

/** What the batch lines of one sync counted besides the outcome classes the result shows. */
export interface LineCounts {
  unchanged: number;
  /** Records whose asset the app created from the record's file (part of applied). */
  created: number;
  /** Records whose changed file became a new version (part of applied). */
  versioned: number;
  /** Records queued for creation: not applied; the creation job finishes them. */
  queued: number;
  /** Deletes and archives held back by the mass-delete threshold: not sent. */
  held: number;
}

export const NO_LINE_COUNTS: LineCounts = { unchanged: 0, created: 0, versioned: 0, queued: 0, held: 0 };

export interface BatchLineCapture {
  /** The counts in the lines of `syncName` logged since the last take(); resets them. */
  take(syncName: string): LineCounts;
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
    take(syncName) {
      const taken = lines;
      lines = [];
      const total = { ...NO_LINE_COUNTS };
      for (const line of taken) {
        const counts = readBatchLine(line);
        if (!counts || counts.syncName !== syncName.slice(0, 100)) continue;
        total.unchanged += counts.unchanged;
        total.created += counts.created;
        total.versioned += counts.versioned;
        total.queued += counts.queued;
        total.held += counts.held;
      }
      return total;
    },
    restore: () => {
      logger.info = original;
    },
  };
}
