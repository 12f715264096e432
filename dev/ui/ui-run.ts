import type { RunTally } from '../cli/sync/summary/run-tally';

// One sync started from the page, as a list of events: each subscriber (a server-sent events
// stream) gets what happened so far, then each new event until the run ends.

export type RunEvent =
  | { type: 'note'; data: { line: string } }
  | { type: 'progress'; data: RunProgress }
  | { type: 'summary'; data: { summary: unknown; verdict?: { ok: boolean; report: string } } }
  | { type: 'failed'; data: { message: string } }
  | { type: 'end'; data: Record<string, never> };

export interface RunProgress {
  /** Of the records the source is expected to hold (see progress-meter.ts). */
  percent: number;
  /** Records in a bucket, plus writes Bynder accepted for batches still in flight. */
  done: number;
  expected: number;
  expectedIsExact: boolean;
  recordsPerSecond: number;
  /** Seconds left at that rate; absent before the first record is done. */
  etaSeconds?: number;
  counts: Pick<
    RunTally,
    | 'records'
    | 'applied'
    | 'deleted'
    | 'ignoredDeletes'
    | 'unchanged'
    | 'created'
    | 'versioned'
    | 'queued'
    | 'held'
    | 'rejected'
    | 'pending'
    | 'batches'
    | 'retries'
  >;
  /** Rejections since the previous progress event. */
  rejections: RunTally['rejections'];
  requests: number;
  requestsPerSecond: number;
  /** The requests-per-second budget the settings give the app. */
  budget: number;
}

export class UiRun {
  private readonly events: RunEvent[] = [];
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly cancelling = new AbortController();
  public ended = false;

  public constructor(public readonly id: string) {}

  /** Fires when the page's Cancel button asks the run to stop (see SyncRunOptions.signal). */
  public get signal(): AbortSignal {
    return this.cancelling.signal;
  }

  /** As Ctrl-C for `sync`: no new batch, the ones in flight finish, the summary is marked cancelled. */
  public cancel(): void {
    if (!this.ended && !this.cancelling.signal.aborted) this.cancelling.abort('cancelled from the page');
  }

  public emit(event: RunEvent): void {
    this.events.push(event);
    if (event.type === 'end') this.ended = true;
    for (const listener of this.listeners) listener(event);
  }

  /** Replays what happened so far, then follows; returns the unsubscribe. */
  public subscribe(listener: (event: RunEvent) => void): () => void {
    for (const event of this.events) listener(event);
    if (!this.ended) this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
