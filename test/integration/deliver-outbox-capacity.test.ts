import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { notifications, storage } from '@zaiusinc/app-sdk';

import { formatOutbox } from '../../dev/cli/commands/outbox';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { OUTBOX_SHARD_BYTES, OUTBOX_SHARDS, readOutbox, slotKey } from '../../src/lib/state/outbox';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// The outbox is bounded in bytes per kvStore row, never by a record count: it holds 1,000 records
// of realistic size (text near Bynder's 2,500-character limit; earlier versions kept 200) with
// every row under its budget, and what goes past a row's bound is counted and named where an
// administrator looks. An install upgraded from the single-row format keeps the records parked
// there. The worst case, 10,000 parked records and every row's largest value, is measured by
// `npm run bench -- --state-rows` (BENCHMARKS.md): parking it takes about 40 s of CPU, too much for
// every test run.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
/** OCP's store is planned for at most about 400 KB per record (a DynamoDB-backed store's limit). */
const HARD_ROW_LIMIT = 400_000;

const longText = (n: number, length: number) => `${n} `.padEnd(length, 'lorem ipsum dolor sit amet ');
const realistic = (n: number, seed = n) => ({
  asset_id: assetId(n),
  description: longText(seed, 2_450),
  usage_notes: longText(seed, 500),
});

const rowBytes = async (key: string) =>
  Buffer.byteLength(JSON.stringify(await storage.kvStore.get(key)), 'utf8');

/** Parks `items` (the token is refused: OCP will not send them again), the field model cached. */
async function park(items: unknown[], syncId: string) {
  emulator.configure({ tokens: [] });
  const answer = await deliver(items, { syncId });
  emulator.configure({ tokens: [{ token: TOKEN }] });
  return answer;
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 10 }));
  emulator.faults.clear();
  emulator.configure({ tokens: [{ token: TOKEN }] });
  await configureApp(emulator.url);
  for (const severity of ['info', 'success', 'warn', 'error'] as const) {
    vi.spyOn(notifications, severity).mockResolvedValue(undefined);
  }
  // The field model is cached, so the refused token stops the batches at their first write.
  const warm = await deliver([{ asset_id: assetId(1), description: 'warm-up' }], { syncId: 'warm' });
  if (!warm.success) throw new Error(`the warm-up batch failed: ${warm.failureReason}`);
});

afterEach(() => {
  vi.restoreAllMocks();
  BynderAssetSync.clockOverride = undefined;
});

describe('the outbox by bytes', () => {
  it('holds 1,000 records of realistic size with every row under its byte budget', async () => {
    for (let batch = 0; batch < 2; batch += 1) {
      const items = Array.from({ length: 500 }, (_, i) => realistic(100 + batch * 1_000 + i));
      expect(await park(items, `sync-${batch}`)).toMatchObject({ success: false, retryable: false });
    }
    const outbox = await readOutbox(storage.kvStore);
    expect(outbox.records).toHaveLength(1_000);
    expect(outbox.droppedTotal).toBe(0);

    const sizes = await Promise.all(Array.from({ length: OUTBOX_SHARDS }, (_, n) => rowBytes(slotKey(n))));
    const largest = Math.max(...sizes, await rowBytes(KV_ROWS.outbox.key));
    expect(largest).toBeLessThan(OUTBOX_SHARD_BYTES + 2_000); // the records, plus the row's counters
    expect(largest).toBeLessThan(HARD_ROW_LIMIT);
    console.info(`largest outbox row with 1,000 parked records: ${largest} bytes`);
  }, 60_000);

  it('counts and names what goes past a row bound: failureReason, the Activity Log, the CLI', async () => {
    // 120 events of one key (one row), about 3 kB each: past the row's 256,000 bytes.
    const items = Array.from({ length: 120 }, (_, i) => realistic(3, i));
    const answer = await park(items, 'long-texts');

    const outbox = await readOutbox(storage.kvStore);
    expect(outbox.droppedTotal).toBeGreaterThan(0);
    expect(outbox.records.length + outbox.droppedTotal).toBe(120);
    expect(await rowBytes(slotKey(0))).toBeLessThan(HARD_ROW_LIMIT);
    expect(answer.failureReason).toContain(
      `${outbox.droppedTotal} parked records dropped, the outbox is full (lost: ${assetId(3)}`,
    );
    const errors = vi.mocked(notifications.error).mock.calls as string[][];
    expect(errors.map((call) => call[1])).toContainEqual(
      expect.stringContaining(`${outbox.droppedTotal} parked records dropped, the outbox is full`),
    );
    expect(formatOutbox(outbox)).toContain(
      `DROPPED, the outbox was full: ${outbox.droppedTotal} records lost`,
    );
  });

  it('keeps and delivers the records an install parked in the single-row format of earlier versions', async () => {
    await storage.kvStore.put(KV_ROWS.outbox.key, {
      records: [
        {
          id: '5d0c8f0e-legacy',
          key: assetId(2),
          sync: 'sync-before-upgrade',
          item: { asset_id: assetId(2), description: 'parked before the upgrade' },
          parkedAt: Date.now() - 60_000,
          cause: 'not sent: credentials refused',
          fingerprint: 'f'.repeat(64),
        },
      ],
      droppedTotal: 3,
      dropped: [{ key: assetId(9), sync: 'sync-before-upgrade', droppedAt: Date.now() - 120_000 }],
      updates: 4,
    });
    const before = await readOutbox(storage.kvStore);
    expect(before.records.map((r) => r.key)).toEqual([assetId(2)]);
    expect(before.droppedTotal).toBe(3);

    expect(await deliver([{ asset_id: assetId(4), description: 'next' }], { syncId: 'next' })).toEqual({
      success: true,
    });
    await emulator.settle();
    expect(emulator.snapshot().assets.find((a) => a.id === assetId(2))?.description).toBe(
      'parked before the upgrade',
    );
    const after = await readOutbox(storage.kvStore);
    expect(after.records).toEqual([]);
    expect(after.droppedTotal).toBe(3);
  });
});
