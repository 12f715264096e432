import { AsyncLocalStorage } from 'node:async_hooks';

// The writes of a batch (and the creation job's creations) run at most `max_in_flight` at a time.
// A creation spends most of its time waiting for Bynder to convert its upload, sending nothing: it
// gives its slot up for that wait (awaitOutsideWriteSlot), so the other writes keep the request
// budget busy, and takes one back, ahead of writes not yet started, to save what it uploaded.

const current = new AsyncLocalStorage<WriteSlots>();

export class WriteSlots {
  private free: number;
  private readonly queue: Array<() => void> = [];

  public constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Runs `task` in a slot, once one is free. */
  public async run<T>(task: () => Promise<T>): Promise<T> {
    await this.take(false);
    try {
      return await current.run(this, task);
    } finally {
      this.give();
    }
  }

  /** A free slot, or a place in line: at the front for a task taking its slot back. */
  public take(returning: boolean): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (returning) this.queue.unshift(resolve);
      else this.queue.push(resolve);
    });
  }

  public give(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free += 1;
  }
}

/**
 * Awaits `wait` without holding the caller's write slot (when it runs in one), then takes a slot
 * back before going on. Outside WriteSlots.run it simply awaits.
 */
export async function awaitOutsideWriteSlot<T>(wait: () => Promise<T>): Promise<T> {
  const slots = current.getStore();
  if (!slots) return wait();
  slots.give();
  try {
    return await wait();
  } finally {
    await slots.take(true);
  }
}
