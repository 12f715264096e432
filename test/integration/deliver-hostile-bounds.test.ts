import { beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { readRejectionLog } from '../../src/lib/state/rejection-log';
import { useEmulator } from '../helpers/use-emulator';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';

// Records no reader may recurse over, and text that cannot travel as UTF-8, through the real
// deliver() against the emulator: the bad record is rejected with a reason, its neighbours applied.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

beforeEach(async () => {
  emulator.seed(portalSeed());
  await configureApp(emulator.url);
});

describe('deliver: hostile records are bounded one by one', () => {
  it('rejects a value nested 5,000 deep in an unmapped field alone, and applies its neighbours, on every attempt', async () => {
    const items = [
      { asset_id: assetId(1), description: 'left' },
      { asset_id: assetId(2), description: 'never sent', not_mapped: nested(5_000) },
      { asset_id: assetId(3), description: 'right' },
    ];
    for (const attempt of [1, 2]) {
      const result = await deliver(items, { attempt });
      expect(result).toMatchObject({ success: false, retryable: false });
      expect(result.failureReason).toMatch(
        /^1 of 3 records rejected: asset_id "[^"]+" field "not_mapped": is nested more than 32 levels deep, the limit per record; .*; 2 applied$/,
      );
    }
    await emulator.settle();
    expect(assetById(assetId(1))?.description).toBe('left');
    expect(assetById(assetId(2))?.description).toBe('original 2');
    expect(assetById(assetId(3))?.description).toBe('right');
    const logged = await readRejectionLog(storage.kvStore);
    expect(logged.at(-1)).toMatchObject({ key: assetId(2), field: 'not_mapped' });
  });

  it('rejects a lone surrogate instead of writing U+FFFD and reporting it applied', async () => {
    const result = await deliver([
      { asset_id: assetId(1), description: 'a\uD800b' },
      { asset_id: assetId(2), description: 'fine \u{1F31E}' },
    ]);
    await emulator.settle();
    expect(result).toMatchObject({ success: false, retryable: false });
    expect(result.failureReason).toContain(
      `asset_id "${assetId(1)}" field "description": contains a lone surrogate (\\uD800, half of a UTF-16 pair)`,
    );
    expect(assetById(assetId(1))?.description).toBe('original 1');
    expect(assetById(assetId(2))?.description).toBe('fine \u{1F31E}');
  });
});
