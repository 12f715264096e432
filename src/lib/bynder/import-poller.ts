import { type Clock, systemClock } from '../runtime-ports';
import { DEFAULT_MAX_POLLS, DEFAULT_POLL_INTERVAL_MS, IMPORTS_PER_POLL } from './constants';
import type { ImportOutcome } from './upload';
import type { BynderUploadApi } from './upload-types';

// One poller for every upload of an invocation: Bynder's poll takes up to 100 imports in `items`
// (https://api.bynder.com/reference, "Retrieve entry point" > "Poll processing state"), so imports
// that convert at the same time share one request a round instead of one each.

interface Waiting {
  /** Polls this import has had. */
  polls: number;
  /** Not polled before this instant: one interval after it was finalised or last polled. */
  notBefore: number;
  settle: Array<{ resolve: (outcome: ImportOutcome) => void; reject: (error: unknown) => void }>;
}

export interface ImportPollerOptions {
  clock?: Clock;
  /** Pause between polls of one import (default 2 s). */
  pollIntervalMs?: number;
  /** Polls before an import still converting is answered `converting` (default 60). */
  maxPolls?: number;
}

export class ImportPoller {
  private readonly waiting = new Map<string, Waiting>();
  private running = false;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly maxPolls: number;

  public constructor(
    private readonly api: Pick<BynderUploadApi, 'pollImports'>,
    options: ImportPollerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.maxPolls = options.maxPolls ?? DEFAULT_MAX_POLLS;
  }

  /** How `importId` ended: done, failed, rejected, or still converting after the last poll. */
  public wait(importId: string): Promise<ImportOutcome> {
    return new Promise((resolve, reject) => {
      const known = this.waiting.get(importId);
      if (known) known.settle.push({ resolve, reject });
      else {
        this.waiting.set(importId, {
          polls: 0,
          notBefore: this.clock.now() + this.intervalMs,
          settle: [{ resolve, reject }],
        });
      }
      if (!this.running) {
        this.running = true;
        void this.loop();
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiting.size > 0) {
        const next = Math.min(...[...this.waiting.values()].map((w) => w.notBefore));
        await this.clock.sleep(Math.max(0, next - this.clock.now()));
        // Imports due within a quarter interval join this round: one request rather than several.
        const horizon = this.clock.now() + this.intervalMs / 4;
        const due = [...this.waiting].filter(([, w]) => w.notBefore <= horizon).map(([id]) => id);
        for (let start = 0; start < due.length; start += IMPORTS_PER_POLL) {
          await this.poll(due.slice(start, start + IMPORTS_PER_POLL));
        }
      }
    } catch (error) {
      // The clock's sleep failed: nobody would poll again, so every waiter hears it.
      for (const id of [...this.waiting.keys()]) this.end(id, undefined, error);
    } finally {
      // Synchronous with the emptiness check above: a wait() after it starts a new loop.
      this.running = false;
    }
  }

  private async poll(ids: readonly string[]): Promise<void> {
    let answer: Awaited<ReturnType<BynderUploadApi['pollImports']>>;
    try {
      answer = await this.api.pollImports(ids);
    } catch (error) {
      for (const id of ids) this.end(id, undefined, error);
      return;
    }
    const ended = new Map<string, ImportOutcome>();
    for (const id of answer.done) ended.set(id, 'done');
    for (const id of answer.failed) ended.set(id, 'failed');
    for (const id of answer.rejected) ended.set(id, 'rejected');
    const now = this.clock.now();
    for (const id of ids) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      waiting.polls += 1;
      // One that joined this round ahead of its time (the quarter-interval horizon) keeps its time:
      // its conversion may well end in between, and a full interval more would be waited for nothing.
      if (waiting.notBefore <= now) waiting.notBefore = now + this.intervalMs;
      const outcome = ended.get(id);
      if (outcome !== undefined) this.end(id, outcome);
      else if (waiting.polls >= this.maxPolls) this.end(id, 'converting');
    }
  }

  private end(id: string, outcome: ImportOutcome | undefined, error?: unknown): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    for (const { resolve, reject } of waiting.settle) {
      if (outcome === undefined) reject(error);
      else resolve(outcome);
    }
  }
}
