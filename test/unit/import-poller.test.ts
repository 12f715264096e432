import { describe, expect, it } from 'vitest';

import { ImportPoller } from '../../src/lib/bynder/import-poller';
import type { BynderUploadApi } from '../../src/lib/bynder/upload-types';
import {
  awaitOutsideWriteSlot,
  streamOutsideWriteSlot,
  WriteSlots,
} from '../../src/lib/delivery/write-slots';
import { fakeClock } from '../helpers/fake-clock';

type PollAnswer = Awaited<ReturnType<BynderUploadApi['pollImports']>>;

/** A poll API whose imports convert after `rounds` polls each; records every request's items. */
function convertingApi(rounds: Record<string, number>, failed: string[] = []) {
  const requests: string[][] = [];
  const seen = new Map<string, number>();
  return {
    requests,
    pollImports: (ids: readonly string[]): Promise<PollAnswer> => {
      requests.push([...ids]);
      const answer: PollAnswer = { done: [], failed: [], rejected: [] };
      for (const id of ids) {
        const polls = (seen.get(id) ?? 0) + 1;
        seen.set(id, polls);
        if (polls < (rounds[id] ?? 1)) continue;
        if (failed.includes(id)) answer.failed.push(id);
        else answer.done.push(id);
      }
      return Promise.resolve(answer);
    },
  };
}

describe('ImportPoller', () => {
  it('polls imports waiting at the same time in one request a round', async () => {
    const api = convertingApi({ a: 2, b: 2, c: 3 }, ['c']);
    const poller = new ImportPoller(api, { clock: fakeClock(), pollIntervalMs: 2_000 });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => poller.wait(id)));
    expect(outcomes).toEqual(['done', 'done', 'failed']);
    expect(api.requests).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['c']]);
  });

  it('answers converting after maxPolls, and a later wait starts polling again', async () => {
    const api = convertingApi({ slow: 10, next: 1 });
    const poller = new ImportPoller(api, { clock: fakeClock(), pollIntervalMs: 1_000, maxPolls: 3 });
    expect(await poller.wait('slow')).toBe('converting');
    expect(api.requests).toHaveLength(3);
    expect(await poller.wait('next')).toBe('done');
  });

  it('polls an import that joined a round early again at its own time, not an interval later', async () => {
    // Time moves only with the poller's sleeps (to their end) and by hand, never backwards.
    let now = 0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        const end = now + ms;
        await Promise.resolve();
        now = Math.max(now, end);
      },
    };
    const api = convertingApi({ a: 1, b: 2 });
    const at: number[] = [];
    const poller = new ImportPoller(
      { pollImports: (ids) => (at.push(now), api.pollImports(ids)) },
      { clock, pollIntervalMs: 2_000 },
    );
    const a = poller.wait('a'); // due at 2,000
    now = 300;
    const b = poller.wait('b'); // due at 2,300: within a quarter interval, so it joins a's round
    expect(await Promise.all([a, b])).toEqual(['done', 'done']);
    expect(api.requests).toEqual([['a', 'b'], ['b']]);
    // Not converted when polled early: polled again when it was due, not 2 s after the round.
    expect(at).toEqual([2_000, 2_300]);
  });

  it('passes a failed poll request to every import it was for', async () => {
    const poller = new ImportPoller(
      { pollImports: () => Promise.reject(new Error('poll answered 500')) },
      { clock: fakeClock() },
    );
    await expect(Promise.all([poller.wait('a'), poller.wait('b')])).rejects.toThrow('poll answered 500');
  });
});

describe('WriteSlots', () => {
  it('lets other writes run while a task waits outside its slot, then gives it the next slot', async () => {
    const slots = new WriteSlots(1);
    const order: string[] = [];
    let converted: () => void = () => undefined;
    const creation = slots.run(async () => {
      order.push('creation uploads');
      await awaitOutsideWriteSlot(() => new Promise<void>((resolve) => (converted = resolve)));
      order.push('creation saves');
    });
    const other = slots.run(async () => {
      order.push('other write');
      converted();
      await Promise.resolve();
    });
    const later = slots.run(() => {
      order.push('later write');
      return Promise.resolve();
    });
    await Promise.all([creation, other, later]);
    // Without giving the slot up, "other write" could start only after "creation saves".
    expect(order).toEqual(['creation uploads', 'other write', 'creation saves', 'later write']);
  });

  it('streams outside the slot, at most as many uploads at once as there are slots', async () => {
    const slots = new WriteSlots(2);
    let streaming = 0;
    let most = 0;
    let inSlot = 0;
    const gates: Array<() => void> = [];
    const upload = () =>
      slots.run(() =>
        streamOutsideWriteSlot(async (bynder) => {
          streaming += 1;
          most = Math.max(most, streaming);
          await new Promise<void>((resolve) => gates.push(resolve)); // a chunk's S3 POST
          await bynder(async () => {
            inSlot += 1;
            await Promise.resolve();
          });
          streaming -= 1;
        }),
      );
    const writes: string[] = [];
    const uploads = [upload(), upload(), upload()];
    // Both slots are free while two uploads stream: other writes go meanwhile.
    const other = slots.run(() => {
      writes.push('other write');
      return Promise.resolve();
    });
    await other;
    expect(writes).toEqual(['other write']);
    while (gates.length > 0 || streaming > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(uploads);
    expect(most).toBe(2); // the third waited for a stream permit: two chunk buffers at most
    expect(inSlot).toBe(3);
  });
});
