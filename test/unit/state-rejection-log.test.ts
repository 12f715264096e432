import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import {
  appendRejections,
  clearRejectionLog,
  MAX_REJECTION_LOG_ENTRIES,
  readRejectionLog,
} from '../../src/lib/state/rejection-log';
import { toLoggedRejection } from '../../src/lib/delivery/outcome';
import { fakeClock } from '../helpers/fake-clock';

const clock = fakeClock(1_700_000_000_000);
const rejection = (i: number, reason = `bad value ${i}`) =>
  toLoggedRejection({
    status: 'rejected',
    key: `KEY-${i}`,
    subject: `asset_id "KEY-${i}"`,
    field: 'campaign',
    problems: [{ problem: reason }],
    records: [i],
  });

beforeEach(() => {
  resetLocalStores();
});

describe('rejection log', () => {
  it('keeps key, field and reason of each rejected record, readable back', async () => {
    await appendRejections(storage.kvStore, [rejection(1)], { syncName: 'Assets', clock });
    expect(await readRejectionLog(storage.kvStore)).toEqual([
      {
        at: clock.now(),
        sync: 'Assets',
        key: 'KEY-1',
        subject: 'asset_id "KEY-1"',
        field: 'campaign',
        reason: 'bad value 1',
        records: 1,
      },
    ]);
  });

  it(`keeps only the last ${MAX_REJECTION_LOG_ENTRIES} entries across batches`, async () => {
    const batch = (from: number) => Array.from({ length: 300 }, (_, i) => rejection(from + i));
    await appendRejections(storage.kvStore, batch(0), { syncName: 'Assets', clock });
    await appendRejections(storage.kvStore, batch(300), { syncName: 'Assets', clock });
    const log = await readRejectionLog(storage.kvStore);
    expect(log).toHaveLength(MAX_REJECTION_LOG_ENTRIES);
    expect(log[0]?.key).toBe('KEY-100');
    expect(log.at(-1)?.key).toBe('KEY-599');
  });

  it('cuts long reasons and keys', async () => {
    const long = { ...rejection(1, 'r'.repeat(10_000)), key: 'k'.repeat(5_000) };
    await appendRejections(storage.kvStore, [long], { syncName: 'Assets', clock });
    const [entry] = await readRejectionLog(storage.kvStore);
    expect(entry?.reason.length).toBeLessThanOrEqual(300);
    expect(entry?.key?.length).toBeLessThanOrEqual(300);
  });

  it('writes nothing for a batch without rejections', async () => {
    await appendRejections(storage.kvStore, [], { syncName: 'Assets', clock });
    expect(await readRejectionLog(storage.kvStore)).toEqual([]);
  });

  it('is empty after clearRejectionLog, and the next batch starts a fresh log', async () => {
    await appendRejections(storage.kvStore, [rejection(1)], { syncName: 'Assets', clock });
    await clearRejectionLog(storage.kvStore);
    expect(await readRejectionLog(storage.kvStore)).toEqual([]);
    await appendRejections(storage.kvStore, [rejection(2)], { syncName: 'Assets', clock });
    expect((await readRejectionLog(storage.kvStore)).map((entry) => entry.key)).toEqual(['KEY-2']);
  });
});
