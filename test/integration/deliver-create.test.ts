import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { CREATION_HELD_CAUSE, CREATION_INDEX_CAUSE } from '../../src/lib/delivery/creation';
import { BRAND, useCreationPortal } from '../helpers/creation-portal';
import { deliver } from '../helpers/deliver-fixture';

// Creating the asset of a record whose external key no asset holds: inside deliver(), exactly once
// whatever is retried, re-delivered, run in parallel or cut after any step. Time moves only on the
// fake clock the emulator and deliver() share (the import's conversion, a lapsed claim).

const portal = useCreationPortal();
const { clock, emulator, assetsWithKey, ledgerOf } = portal;
const SAVE = 'POST /api/v4/media/save/:importId/';

beforeEach(async () => {
  await portal.reset();
  emulator.configure({ unlistedIds: [] });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function record(key: string, extra: Record<string, unknown> = {}) {
  return {
    external_id: key,
    name: `Shoe ${key}`,
    campaign: 'summer',
    file_url: portal.files.fileUrl('100k', 'shoe.jpg'),
    ...extra,
  };
}

describe('creating missing assets inside deliver()', () => {
  it('uploads the file and saves it as one asset with every mapped value and the key', async () => {
    expect(await deliver([record('NEW-1')])).toEqual({ success: true });
    const created = assetsWithKey('NEW-1');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'Shoe NEW-1', brandId: BRAND });
    expect(emulator.requests(SAVE)).toHaveLength(1);
    expect(await ledgerOf('NEW-1')).toMatchObject({ step: 'created', mediaId: created[0]?.id });
  });

  it('rejects a missing asset when the record has no file_url, naming the fix', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const result = await deliver([{ external_id: 'NEW-2', name: 'no file' }]);
    spy.mockRestore();
    expect(result).toMatchObject({ success: false, retryable: false });
    expect(JSON.stringify(result)).toMatch(/has no file_url to create it from; map file_url/);
    expect(assetsWithKey('NEW-2')).toHaveLength(0);
  });

  it('answers from the ledger while Bynder search does not show the new asset yet: no second asset', async () => {
    expect(await deliver([record('NEW-3')])).toEqual({ success: true });
    const [asset] = assetsWithKey('NEW-3');
    // The search index lags: neither the lookup by key nor the read by id shows the new asset.
    emulator.configure({ unlistedIds: [asset?.id ?? ''] });
    await storage.kvStore.delete('delivery_external_keys');
    expect(await deliver([record('NEW-3', { description: 'later' })], { syncId: 'sync-2' })).toEqual({
      success: true,
    });
    await emulator.settle();
    expect(assetsWithKey('NEW-3')).toHaveLength(1);
    expect(assetsWithKey('NEW-3')[0]).toMatchObject({ description: 'later' });
    expect(emulator.requests(SAVE)).toHaveLength(1);
  });

  it('runs one creation for parallel deliveries of one key; the others wait, then find it', async () => {
    const results = await Promise.all(
      ['a', 'b', 'c'].map((sync) => deliver([record('NEW-4')], { syncId: `sync-${sync}` })),
    );
    expect(assetsWithKey('NEW-4')).toHaveLength(1);
    expect(emulator.requests(SAVE)).toHaveLength(1);
    const waiting = results.filter((result) => !result.success);
    for (const result of waiting) expect(JSON.stringify(result)).toContain(CREATION_HELD_CAUSE.slice(0, 40));
    // OCP's retries of the waiting ones find the asset and create nothing.
    for (const sync of ['a', 'b', 'c']) {
      expect(await deliver([record('NEW-4')], { syncId: `sync-${sync}`, attempt: 2 })).toEqual({
        success: true,
      });
    }
    expect(assetsWithKey('NEW-4')).toHaveLength(1);
    expect(emulator.requests(SAVE)).toHaveLength(1);
  });
});

describe('a creation cut after each step resumes without a second asset', () => {
  // The ledger's patches of one creation: 1 claim, 2 uploaded (import known), 3 saving, 4 created.
  // The worker dies at patch n: that write and every later store write of the creation fail, so the
  // claim is not released either and must lapse before anyone resumes.
  for (const [n, what] of [
    [2, 'after the upload, before its import is recorded'],
    [3, 'after the import is recorded, before the save'],
    [4, 'after the save, before the asset id is recorded'],
  ] as const) {
    it(`cut ${what}`, async () => {
      const patch = storage.kvStore.patch.bind(storage.kvStore);
      let creationPatches = 0;
      const spy = vi.spyOn(storage.kvStore, 'patch').mockImplementation((async (
        key: string,
        ...rest: unknown[]
      ) => {
        if (key.startsWith('creation_')) {
          creationPatches += 1;
          if (creationPatches >= n) throw new Error('worker killed');
        }
        return (patch as (...args: unknown[]) => Promise<unknown>)(key, ...rest);
      }) as typeof storage.kvStore.patch);
      const first = await deliver([record('CUT-1')]);
      spy.mockRestore();
      expect(first).toMatchObject({ success: false, retryable: true });

      // The dead worker's claim still holds: a retry waits and sends nothing to Bynder's upload.
      emulator.clearRequests();
      const waiting = await deliver([record('CUT-1')], { attempt: 2 });
      expect(JSON.stringify(waiting)).toContain(n === 4 ? '' : CREATION_HELD_CAUSE.slice(0, 40));
      expect(emulator.requests('POST /api/upload/init/')).toHaveLength(0);

      clock.advance(10 * 60_000);
      expect(await deliver([record('CUT-1')], { attempt: 3 })).toEqual({ success: true });
      expect(assetsWithKey('CUT-1')).toHaveLength(1);
      // Cut after the save, the asset is found by its key, and that lookup records the creation's end
      // (so it is counted created once, by that delivery).
      expect((await ledgerOf('CUT-1'))?.step).toBe('created');
    });
  }

  it('a save whose answer was lost while search lags is not sent twice into a second asset', async () => {
    emulator.faults.add({ match: SAVE, status: 502, afterHandling: true, times: 1 });
    const first = await deliver([record('LOST-1')]);
    expect(first).toMatchObject({ success: false, retryable: true });
    const [asset] = assetsWithKey('LOST-1');
    expect(asset).toBeDefined();
    emulator.configure({ unlistedIds: [asset?.id ?? ''] });
    const second = await deliver([record('LOST-1')], { attempt: 2 });
    expect(JSON.stringify(second)).toContain(CREATION_INDEX_CAUSE.slice(0, 40));
    expect(await ledgerOf('LOST-1')).toMatchObject({ step: 'saved' });
    emulator.configure({ unlistedIds: [] });
    expect(await deliver([record('LOST-1')], { attempt: 3 })).toEqual({ success: true });
    expect(assetsWithKey('LOST-1')).toHaveLength(1);
    expect(emulator.requests(SAVE)).toHaveLength(2); // the second answered 404: the import was saved
  });
});
