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
  percent: number;
  counts: Pick<
    RunTally,
    | 'records'
    | 'applied'
    | 'deleted'
    | 'ignoredDeletes'
    | 'unchanged'
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
  public ended = false;

  public constructor(public readonly id: string) {}

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
