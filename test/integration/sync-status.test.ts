import { logger, notifications, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import {
  escapeForForm,
  MAX_STATUS_TEXT,
  refreshStaleSyncStatus,
  SYNC_STATUS_REFRESH_MS,
} from '../../src/lib/state/sync-status';
import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { type FakeClock, fakeClock } from '../helpers/fake-clock';
import { useEmulator } from '../helpers/use-emulator';

// The "Sync status" section: a text written from stored values into the settings row the form's
// instructions interpolate; hostile keys and reasons escaped for markdown and HTML, the text
// bounded, and written at most once a minute after changes (a batch that changes nothing pays no
// store call: deliver-batch-cost.test.ts).

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const lifecycle = new Lifecycle();
let clock: FakeClock;

const HOSTILE = '<img src=x onerror=alert(1)>**[x](javascript:alert(1))**{{{connection.portal}}}`|#';

async function statusText(): Promise<string> {
  const { text } = await storage.settings.get('sync_status');
  return typeof text === 'string' ? text : '';
}

beforeEach(async () => {
  emulator.seed(portalSeed({ assets: 5 }));
  await configureApp(emulator.url);
  clock = fakeClock(Date.now());
  BynderAssetSync.clockOverride = clock;
  vi.spyOn(notifications, 'warn').mockResolvedValue(undefined);
  vi.spyOn(notifications, 'error').mockResolvedValue(undefined);
});

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
  vi.restoreAllMocks();
});

describe('the Sync status text', () => {
  it('lists the records kept for a retry, with their cause', async () => {
    // No such option: rejected because of Bynder's state, so kept, and tried again once it exists.
    await deliver([{ asset_id: assetId(3), region: 'Atlantis' }]);
    const text = await statusText();
    expect(text).toContain('**Kept for a retry:** 1 records rejected');
    expect(text).toContain(`key ${escapeForForm(assetId(3), 80)}`);
    expect(text).toContain('Atlantis');
    expect(text).toMatch(/1 kept for a retry/);
  });

  it('escapes hostile keys and reasons for markdown and HTML', async () => {
    // Rejected before any request: an asset id holds only letters, digits and dashes.
    await deliver([
      { asset_id: HOSTILE, description: 'x' },
      { asset_id: assetId(1), region: HOSTILE },
      // A key that happens to be the stored token is redacted, as in the notices.
      { asset_id: assetId(2), region: TOKEN },
    ]);
    const text = await statusText();
    expect(text).toContain('**Latest rejections**');
    // What the record carried shows, inert: no tag, link, emphasis, code span or template braces of it.
    expect(text).toContain(escapeForForm('<img src=x onerror=alert(1)>', 80));
    expect(text).not.toMatch(/<img|\]\(javascript|\{\{\{connection|`\|#/);
    const ours = ['**Held deletes:**', '**Outbox:**', '**Kept for a retry:**', '**Latest rejections**'];
    expect(ours.reduce((left, heading) => left.replace(heading, ''), text)).not.toContain('**');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(escapeForForm(TOKEN, 80));
    expect(text).toContain('3 of the 3 kept');
    expect(text).toContain('Troubleshooting tab');
    // The escape is the characters themselves once rendered.
    expect(escapeForForm('a<b>*_[]{}`&"\'\n', 100)).toBe(
      'a&#60;b&#62;&#42;&#95;&#91;&#93;&#123;&#125;&#96;&#38;&#34;&#39; ',
    );
  });

  it('stays within its bound with many long rejections', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      asset_id: `${'<'.repeat(400)}${i}`,
      description: 'x',
    }));
    await deliver(items);
    const text = await statusText();
    expect(text.length).toBeLessThanOrEqual(MAX_STATUS_TEXT);
    expect(text).toContain('20 of the 60 kept');
  });

  it('is written at most once a minute after changes, and at once on Refresh', async () => {
    const put = vi.spyOn(storage.settings, 'put');
    const statusWrites = () => put.mock.calls.filter(([key]) => key === 'sync_status').length;
    await deliver([{ asset_id: 'bad?1', description: 'x' }]);
    expect(statusWrites()).toBe(1);
    clock.advance(SYNC_STATUS_REFRESH_MS - 1_000);
    await deliver([{ asset_id: 'bad?2', description: 'x' }]);
    expect(statusWrites()).toBe(1);
    expect(await statusText()).not.toContain(escapeForForm('bad?2', 80));
    // A batch that changes nothing shown writes nothing, even when the minute is up.
    clock.advance(2_000);
    expect(await deliver([{ asset_id: assetId(2), description: 'fine' }])).toEqual({ success: true });
    expect(statusWrites()).toBe(1);
    await deliver([{ asset_id: 'bad?3', description: 'x' }]);
    expect(statusWrites()).toBe(2);
    expect(await statusText()).toContain(escapeForForm('bad?2', 80));

    const response = await lifecycle.onSettingsForm('sync_status', 'refresh_status', {});
    expect(response.getResponse('sync_status').toasts?.[0]?.intent).toBe('success');
    expect(statusWrites()).toBe(3);

    // A change the minute held back is written by the outbox's scheduled job, once.
    await deliver([{ asset_id: 'bad?4', description: 'x' }]);
    expect(statusWrites()).toBe(3);
    const jobDeps = { ...storage, clock, logger };
    await refreshStaleSyncStatus(jobDeps);
    expect(statusWrites()).toBe(4);
    expect(await statusText()).toContain(escapeForForm('bad?4', 80));
    await refreshStaleSyncStatus(jobDeps);
    expect(statusWrites()).toBe(4);
  });
});
