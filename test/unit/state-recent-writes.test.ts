import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { KV_ROWS } from '../../src/lib/state/kv-rows';
import {
  MAX_RECENT_WRITES,
  noteRecentWrites,
  readRecentWrites,
  RECENT_WRITE_WINDOW_MS,
} from '../../src/lib/state/recent-writes';
import { fakeClock } from '../helpers/fake-clock';

// The assets written within the safety window: each counts as recent until the window has passed
// after the last moment its batch may still send; the row stays bounded without forgetting a write.

const SENDING_MS = 45_000;

beforeEach(() => resetLocalStores());

describe('recent writes', () => {
  it('counts a noted asset as recent until the window has passed after the batch may still send', async () => {
    const clock = fakeClock();
    await noteRecentWrites(storage.kvStore, ['A'], { clock, sendingForMs: SENDING_MS });
    expect((await readRecentWrites(storage.kvStore, clock)).isRecent('A')).toBe(true);
    expect((await readRecentWrites(storage.kvStore, clock)).isRecent('B')).toBe(false);
    clock.advance(SENDING_MS + RECENT_WRITE_WINDOW_MS - 1);
    expect((await readRecentWrites(storage.kvStore, clock)).isRecent('A')).toBe(true);
    clock.advance(1);
    expect((await readRecentWrites(storage.kvStore, clock)).isRecent('A')).toBe(false);
  });

  it('keeps other writers entries and drops expired ones when it writes', async () => {
    const clock = fakeClock();
    await noteRecentWrites(storage.kvStore, ['OLD'], { clock, sendingForMs: SENDING_MS });
    clock.advance(SENDING_MS + RECENT_WRITE_WINDOW_MS);
    await Promise.all([
      noteRecentWrites(storage.kvStore, ['A'], { clock, sendingForMs: SENDING_MS }),
      noteRecentWrites(storage.kvStore, ['B'], { clock, sendingForMs: SENDING_MS }),
    ]);
    const row = await storage.kvStore.get(KV_ROWS.recentWrites.key);
    expect([...(row.ids as string[])].sort()).toEqual(['A', 'B']);
  });

  it('stays bounded, and past the bound counts every asset recent rather than forget a write', async () => {
    const clock = fakeClock();
    const ids = Array.from({ length: MAX_RECENT_WRITES }, (_, i) => `ID-${i}`);
    await noteRecentWrites(storage.kvStore, ids, { clock, sendingForMs: SENDING_MS });
    clock.advance(1_000);
    await noteRecentWrites(storage.kvStore, ['NEW'], { clock, sendingForMs: SENDING_MS });
    const row = await storage.kvStore.get(KV_ROWS.recentWrites.key);
    expect(row.ids).toHaveLength(MAX_RECENT_WRITES);
    expect(row.ids).not.toContain('ID-0');
    // ID-0 was dropped, yet still counts as recent, as does every other asset, until its end.
    const recent = await readRecentWrites(storage.kvStore, clock);
    expect(recent.isRecent('ID-0')).toBe(true);
    expect(recent.isRecent('NEVER-WRITTEN')).toBe(true);
    clock.advance(SENDING_MS + RECENT_WRITE_WINDOW_MS);
    expect((await readRecentWrites(storage.kvStore, clock)).isRecent('NEVER-WRITTEN')).toBe(false);
  });
});
