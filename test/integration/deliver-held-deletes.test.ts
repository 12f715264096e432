import { notifications, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { HELD_DELETES_ROW } from '../../src/lib/state/kv-rows';
import { HELD_SHARD_BYTES, heldSlotOf, readHeldDeletes } from '../../src/lib/state/held-deletes';
import { readOutbox, updateHeldIndex } from '../../src/lib/state/outbox';
import { readStateRow } from '../../src/lib/state/state-row';
import { SYNC_STATUS_ROW } from '../../src/lib/state/sync-status';
import { systemClock } from '../../src/lib/runtime-ports';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { fakeClock } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// The mass-delete threshold: deletes and archives past "Deletes and archives per hour" are held,
// not sent, whichever invocation sends them; an administrator releases them (the outbox delivers
// them) or discards them; a later upsert of the key supersedes a held delete.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const lifecycle = new Lifecycle();
// Bynder applies an accepted write a moment later; settle() waits for the emulator to apply them.
async function assetById(id: string) {
  await emulator.settle();
  return emulator.snapshot().assets.find((a) => a.id === id);
}
async function archived() {
  await emulator.settle();
  return emulator
    .snapshot()
    .assets.filter((a) => a.archive === true)
    .map((a) => a.id);
}
const remove = (n: number) => ({ asset_id: assetId(n), _isDeleted: true });

/** Each kvStore call waits one turn of the event loop first (no time passes on the test clock). */
function withStoreLatency(): void {
  const store = storage.kvStore as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['get', 'patch', 'put', 'increment'] as const) {
    const original = store[method]!.bind(storage.kvStore);
    const spy = vi.spyOn(storage.kvStore as never, method as never) as MockInstance;
    spy.mockImplementation(async (...args: unknown[]) => {
      await new Promise((resolve) => setImmediate(resolve));
      return original(...args);
    });
  }
}

async function limitDeletes(perHour: number): Promise<void> {
  const records = await storage.settings.get('records');
  await storage.settings.put('records', { ...records, max_deletes_per_hour: String(perHour) });
}

async function press(action: string) {
  return (await lifecycle.onSettingsForm('sync_status', action, {})).getResponse('sync_status');
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 20 }));
  await configureApp(emulator.url);
  BynderAssetSync.clockOverride = fakeClock(Date.now());
  vi.spyOn(notifications, 'error').mockResolvedValue(undefined);
  vi.spyOn(notifications, 'warn').mockResolvedValue(undefined);
  vi.spyOn(notifications, 'success').mockResolvedValue(undefined);
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
  vi.restoreAllMocks();
});

describe('the mass-delete threshold', () => {
  it('sends at most the threshold across concurrent deliveries and holds the rest', async () => {
    await limitDeletes(5);
    // The field model in memory first, so the four batches below reach the threshold together.
    expect(await deliver([{ asset_id: assetId(20), description: 'warm-up' }])).toEqual({ success: true });
    // Every store call takes a turn of the event loop, as a call over the network does, so the
    // invocations' reads and writes interleave (a read-then-write count would then overshoot).
    withStoreLatency();
    // Four invocations at once, sharing one store, as OCP's workers do: 12 deletes for one sync.
    const answers = await Promise.all(
      [0, 1, 2, 3].map((b) => deliver([remove(b * 3 + 1), remove(b * 3 + 2), remove(b * 3 + 3)])),
    );
    expect(await archived()).toHaveLength(5);
    const held = await readHeldDeletes(storage.kvStore);
    expect(held).toHaveLength(7);
    expect(new Set([...(await archived()), ...held.map((e) => e.key)]).size).toBe(12);
    // Each batch that held some answers as the design says: not retryable, counted, how to release.
    const holding = answers.filter((a) => !a.success);
    expect(holding.length).toBeGreaterThan(0);
    for (const answer of holding) {
      expect(answer).toMatchObject({ success: false, retryable: false });
      expect(answer.failureReason).toMatch(
        /records held: deletes and archives past "Deletes and archives per hour" \(5 per sync an hour\); release them/,
      );
    }
    // The Activity Log hears it as an error naming the sync, how many and what to do.
    const [, title, summary, details] = vi.mocked(notifications.error).mock.calls[0] ?? [];
    expect(title).toMatch(/^Sync "Assets to Bynder": \d+ deletes? held back, not sent to Bynder$/);
    expect(summary).toContain('"Deletes and archives per hour"');
    expect(summary).toMatch(/\(\d held in all, every sync\)/);
    expect(details).toContain('section "Sync status"');
    // Another sync has its own hour; an hour later this one has its allowance again.
    expect(await deliver([remove(13)], { syncId: 'sync-2' })).toEqual({ success: true });
    (BynderAssetSync.clockOverride as ReturnType<typeof fakeClock>).advance(60 * 60_000);
    expect(await deliver([remove(14)])).toEqual({ success: true });
  });

  it('releases held deletes: the outbox delivers them', async () => {
    await limitDeletes(1);
    const answer = await deliver([remove(1), remove(2), remove(3)]);
    expect(answer).toMatchObject({ success: false, retryable: false });
    expect(await archived()).toEqual([assetId(1)]);

    const response = await press('release_held');
    expect(response.toasts).toEqual([
      expect.objectContaining({
        intent: 'success',
        message: expect.stringMatching(/^Released 2 held deletes/),
      }),
    ]);
    expect(await readHeldDeletes(storage.kvStore)).toEqual([]);
    expect((await readOutbox(storage.kvStore)).records.map((r) => r.key)).toEqual([assetId(2), assetId(3)]);
    // The next delivery starts with the outbox: released deletes are not held again.
    expect(await deliver([{ asset_id: assetId(9), description: 'next' }])).toEqual({ success: true });
    expect((await archived()).sort()).toEqual([assetId(1), assetId(2), assetId(3)]);
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
    const status = await readStateRow(storage.kvStore, SYNC_STATUS_ROW);
    expect(status.counts).toMatchObject({ held: 2, released: 2, parkedDelivered: 2 });
  });

  it('discards held deletes and counts them', async () => {
    await limitDeletes(1);
    await deliver([remove(1), remove(2), remove(3)]);
    const response = await press('discard_held');
    expect(response.toasts?.[0]?.message).toMatch(/^Discarded 2 held deletes/);
    expect(await readHeldDeletes(storage.kvStore)).toEqual([]);
    expect((await readOutbox(storage.kvStore)).records).toEqual([]);
    expect(await archived()).toEqual([assetId(1)]);
    expect((await readStateRow(storage.kvStore, SYNC_STATUS_ROW)).counts).toMatchObject({
      held: 2,
      discarded: 2,
    });
    expect((await press('discard_held')).toasts?.[0]?.message).toBe(
      'No deletes are held: nothing to discard.',
    );
  });

  it('lets a later upsert of the key supersede a held delete', async () => {
    await limitDeletes(1);
    await deliver([remove(1), remove(2)]);
    expect((await readHeldDeletes(storage.kvStore)).map((e) => e.key)).toEqual([assetId(2)]);
    expect(await deliver([{ asset_id: assetId(2), description: 'still wanted' }])).toEqual({ success: true });
    expect(await readHeldDeletes(storage.kvStore)).toEqual([]);
    expect(await assetById(assetId(2))).toMatchObject({ archive: false, description: 'still wanted' });
    expect((await readStateRow(storage.kvStore, SYNC_STATUS_ROW)).counts).toMatchObject({
      heldSuperseded: 1,
    });
  });

  it('rejects, names and counts a delete that does not fit the held list', async () => {
    await limitDeletes(1);
    // The row asset 3's key hashes to is full (written in the stored shape).
    const slot = heldSlotOf(assetId(3));
    const filler = 'x'.repeat(HELD_SHARD_BYTES - 300);
    const entry = {
      id: 'f',
      key: 'filler',
      sync: 's',
      syncName: 's',
      items: [filler],
      heldAt: 1,
      kind: 'archive',
      fingerprint: 'f',
    };
    await storage.kvStore.put(`${HELD_DELETES_ROW.key}${slot}`, { entries: [entry], version: 1 });
    await updateHeldIndex([{ slot, count: 1, version: 1 }], { kvStore: storage.kvStore, clock: systemClock });

    const answer = await deliver([remove(1), remove(3)]);
    expect(answer).toMatchObject({ success: false, retryable: false });
    expect(answer.failureReason).toContain('the list of held deletes is full');
    expect(await assetById(assetId(3))).toMatchObject({ archive: false });
    expect((await readStateRow(storage.kvStore, SYNC_STATUS_ROW)).counts).toMatchObject({
      notHeld: 1,
      rejected: 1,
    });
  });

  it('holds nothing with the threshold at 0', async () => {
    await limitDeletes(0);
    expect(await deliver([remove(1), remove(2), remove(3)])).toEqual({ success: true });
    expect(await archived()).toHaveLength(3);
  });
});
