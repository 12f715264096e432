import { beforeEach, describe, expect, it } from 'vitest';

import { useEmulator } from '../helpers/use-emulator';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';

// What reaches Bynder for dates and asset ids. Bynder's modify documents dates as
// yyyy-mm-ddThh:mm:ssZ and answers 202 even for a date it cannot parse (then drops it), so the app
// must send that form. Bynder's v4 ids are upper-case hex: one asset spelled in two letter cases is
// one asset, merged into one write to the upper-case id.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const POST = 'POST /api/v4/media/:id/';
const HEX_ID = 'ABCDEF01-2345-4ABC-8DEF0123456789AB';

const assetById = (id: string) => emulator.snapshot().assets.find((a) => a.id === id);

beforeEach(async () => {
  const seed = portalSeed();
  seed.assets?.push({ id: HEX_ID, name: 'Hex asset', description: 'original hex' });
  emulator.seed(seed);
  emulator.faults.clear();
  await configureApp(emulator.url);
});

describe('dates reach Bynder in the form its modify documents', () => {
  it('writes a plain date as midnight UTC and an offset date-time in UTC', async () => {
    const result = await deliver([
      { asset_id: assetId(1), date_published: '2026-03-02' },
      { asset_id: assetId(2), date_published: '2026-03-02T09:30:00+01:00' },
    ]);
    await emulator.settle();
    expect(result).toEqual({ success: true });
    expect(assetById(assetId(1))?.datePublished).toBe('2026-03-02T00:00:00Z');
    expect(assetById(assetId(2))?.datePublished).toBe('2026-03-02T08:30:00Z');
  });

  it('rejects a date-time without an offset, naming the accepted forms, and sends nothing for it', async () => {
    const before = assetById(assetId(3))?.datePublished;
    emulator.clearRequests();
    const result = await deliver([{ asset_id: assetId(3), date_published: '2026-03-02T09:30:00' }]);
    expect(result.success).toBe(false);
    expect(result.failureReason).toMatch(/"date_published": "2026-03-02T09:30:00" has no time zone/);
    expect(result.failureReason).toMatch(/add Z or an offset/);
    expect(emulator.requests(POST)).toEqual([]);
    expect(assetById(assetId(3))?.datePublished).toBe(before);
  });
});

describe('asset ids in either letter case', () => {
  it('merges two events that differ only in case into one POST to the upper-case id', async () => {
    emulator.clearRequests();
    const result = await deliver([
      { asset_id: HEX_ID.toLowerCase(), description: 'from lower case' },
      { asset_id: HEX_ID, name: 'Renamed' },
    ]);
    await emulator.settle();
    expect(result).toEqual({ success: true });
    const posts = emulator.requests(POST);
    expect(posts.map((request) => request.path)).toEqual([`/api/v4/media/${HEX_ID}/`]);
    expect(assetById(HEX_ID)).toMatchObject({ name: 'Renamed', description: 'from lower case' });
  });
});
