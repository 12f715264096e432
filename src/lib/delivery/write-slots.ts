import { AsyncLocalStorage } from 'node:async_hooks';

// The writes of a batch (and the creation job's creations) run at most `max_in_flight` at a time.
// A creation spends most of its time waiting for Bynder to convert its upload, sending nothing: it
// gives its slot up for that wait (awaitOutsideWriteSlot), so the other writes keep the request
// budget busy, and takes one back, ahead of writes not yet started, to save what it uploaded. The
// same goes for streaming the file (its fetch and the chunks' S3 POSTs, streamOutsideWriteSlot),
// bounded by a permit of its own per slot, so chunk buffers in memory stay at `max_in_flight`.

const current = new AsyncLocalStorage<WriteSlots>();

/** At most `size` holders at once; a holder coming back goes to the front of the line. */
interface Permits {
  /** A free permit, or a place in line: at the front for a holder taking its permit back. */
  take(returning: boolean): Promise<void>;
  give(): void;
}

function permits(size: number): Permits {
  let free = Math.max(1, size);
  const queue: Array<() => void> = [];
  return {
    take: (returning) => {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        if (returning) queue.unshift(resolve);
        else queue.push(resolve);
      });
    },
    give: () => {
      const next = queue.shift();
      if (next) next();
      else free += 1;
    },
  };
}

export class WriteSlots implements Permits {
  private readonly slots: Permits;
  /**
   * Uploads streaming their file at once, as many as there are slots: each holds one chunk buffer
   * (bynder/upload-chunks.ts) while it streams, so memory stays at that many buffers, flat in file
   * size, however the slots are shared meanwhile.
   */
  public readonly streams: Permits;

  public constructor(size: number) {
    this.slots = permits(size);
    this.streams = permits(size);
  }

  /** A free slot, or a place in line: at the front for a task taking its slot back. */
  public take(returning: boolean): Promise<void> {
    return this.slots.take(returning);
  }

  public give(): void {
    this.slots.give();
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

/**
 * Runs `upload` (a record's file streamed into Bynder's upload flow) outside the caller's write slot,
 * holding one of the invocation's stream permits instead: the file's fetch and the chunks' S3 POSTs
 * send no Bynder request, so the slot serves other writes meanwhile. `inSlot` runs one Bynder request
 * of the upload in a slot again (ahead of writes not yet started). No one waits for a stream permit
 * while holding a slot, so the two never wait on each other. Outside WriteSlots.run it simply runs.
 */
export async function streamOutsideWriteSlot<T>(
  upload: (inSlot: <R>(request: () => Promise<R>) => Promise<R>) => Promise<T>,
): Promise<T> {
  const slots = current.getStore();
  if (!slots) return upload((request) => request());
  slots.give();
  try {
    await slots.streams.take(false);
    try {
      return await upload(async (request) => {
        await slots.take(true);
        try {
          return await request();
        } finally {
          slots.give();
        }
      });
    } finally {
      slots.streams.give();
    }
  } finally {
    await slots.take(true);
  }
}
