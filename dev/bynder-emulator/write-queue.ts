import type { Delays } from './delays';
import type { MediaPatch } from './media-form';
import type { PortalState } from './state';

interface PendingWrite {
  mediaId: string;
  patch: MediaPatch;
  timer: NodeJS.Timeout;
}

/**
 * Modifies accepted with 202 and not yet visible (Bynder applies them asynchronously).
 * Writes apply in the order they were accepted, even when the delay setting changes in between.
 */
export class WriteQueue {
  private pending: PendingWrite[] = [];

  public constructor(
    private readonly state: PortalState,
    private readonly delays: Delays,
  ) {}

  public accept(mediaId: string, patch: MediaPatch, delayMs: number): void {
    const write: PendingWrite = {
      mediaId,
      patch,
      timer: this.delays.schedule(delayMs, () => this.applyUpTo(write)),
    };
    this.pending.push(write);
  }

  public get size(): number {
    return this.pending.length;
  }

  /** Applies every pending write now (emulator-only: lets tests skip the wait). */
  public flush(): void {
    const last = this.pending.at(-1);
    if (last) this.applyUpTo(last);
  }

  /** Drops pending writes without applying them (a reseed replaces the portal they were meant for). */
  public discard(): void {
    for (const write of this.pending) this.delays.cancel(write.timer);
    this.pending = [];
  }

  private applyUpTo(write: PendingWrite): void {
    const index = this.pending.indexOf(write);
    if (index < 0) return;
    const due = this.pending.splice(0, index + 1);
    for (const item of due) {
      this.delays.cancel(item.timer);
      this.state.applyPatch(item.mediaId, item.patch);
    }
  }
}
