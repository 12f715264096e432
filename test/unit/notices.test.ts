import { notifications, resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

import { notifyBatch } from '../../src/lib/delivery/batch-notices';
import type { BatchEnd, RecordOutcome } from '../../src/lib/delivery/outcome';
import { rejectedOutcome } from '../../src/lib/delivery/outcome';
import { NOTICE_INTERVAL_MS } from '../../src/lib/notices/notice-throttle';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import {
  notifyConnectionCheck,
  notifyParkedDelivered,
  notifyRecordsParked,
} from '../../src/lib/notices/notices';
import { type FakeClock, fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// The Activity Log notices, observed through the SDK's public notifications functions: what each
// says, that a cause is said at most once an hour per sync (also when batches run at once), and that
// the hour passing lets it be said again.

const SYNC = { id: 'sync-1', name: 'Assets to Bynder' };
const OTHER_SYNC = { id: 'sync-2', name: 'Products to Bynder' };
const TOKEN = 'secret-token-7f3e';

let clock: FakeClock;
const deps = () => ({
  kvStore: storage.kvStore,
  clock,
  logger: silentLogger,
  notifier: notifications,
  secrets: [TOKEN],
});

type Severity = 'info' | 'success' | 'warn' | 'error';
type Spied = MockInstance<(typeof notifications)[Severity]>;
const spies = {} as Record<Severity, Spied>;
/** Every notice sent, as `[activity, title, summary, details]`. */
const sent = (severity: keyof typeof spies) => spies[severity].mock.calls as string[][];
const everything = () => Object.values(spies).flatMap((spy) => spy.mock.calls as string[][]);

beforeEach(() => {
  resetLocalStores();
  clock = fakeClock();
  for (const severity of ['info', 'success', 'warn', 'error'] as const) {
    spies[severity] = vi.spyOn(notifications, severity).mockResolvedValue(undefined);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

function rejected(key: string, field: string, problem: string, position: number): RecordOutcome {
  return rejectedOutcome({ key, subject: `asset_id "${key}"`, records: [position] }, [{ field, problem }]);
}

const applied = (position: number): RecordOutcome => ({
  status: 'applied',
  key: `K${position}`,
  subject: `asset_id "K${position}"`,
  records: [position],
});

const rejectionsEnd = (): BatchEnd => ({
  outcomes: [
    rejected('A1', 'campaign', '"Sumer" is not an option of "Campaign" (Summer, Winter)', 0),
    rejected('A2', 'campaign', '"Wintr" is not an option of "Campaign" (Summer, Winter)', 1),
    rejected('A3', 'date_published', '"2026-13-01" is not a date; send yyyy-mm-dd', 2),
    applied(3),
  ],
});

describe('notices after a batch', () => {
  it('summarises rejections: counts by reason, the first keys, where to see the rest', async () => {
    await notifyBatch(rejectionsEnd(), SYNC, deps());
    expect(sent('warn')).toHaveLength(1);
    const [activity, title, summary, details] = sent('warn')[0] ?? [];
    expect(activity).toBe('Bynder Assets data sync');
    expect(title).toBe('Sync "Assets to Bynder": 3 records rejected');
    expect(summary).toContain('3 of 4 records');
    expect(summary).toContain('2 × campaign: "…" is not an option of "…"');
    expect(summary).toContain('1 × date_published: "…" is not a date');
    expect(details).toContain('First rejected: asset_id "A1", asset_id "A2", asset_id "A3"');
    expect(details).toContain("sync's Executions in Data Setup > Sync Manager");
  });

  it('says each cause at most once an hour per sync, and again once the hour has passed', async () => {
    await notifyBatch(rejectionsEnd(), SYNC, deps());
    await notifyBatch(rejectionsEnd(), SYNC, deps());
    clock.advance(NOTICE_INTERVAL_MS - 1);
    await notifyBatch(rejectionsEnd(), SYNC, deps());
    expect(sent('warn')).toHaveLength(1);

    await notifyBatch(rejectionsEnd(), OTHER_SYNC, deps()); // another sync: its own notice
    expect(sent('warn')).toHaveLength(2);

    clock.advance(1);
    await notifyBatch(rejectionsEnd(), SYNC, deps());
    expect(sent('warn')).toHaveLength(3);
    expect(sent('warn')[2]?.[1]).toBe('Sync "Assets to Bynder": 3 records rejected');
  });

  it("claims each notice with the runtime's Random, so a test (or a replay) can repeat its tokens", async () => {
    const random = { fraction: () => 0.5, id: () => 'claim-token-from-the-port' };
    await notifyBatch(rejectionsEnd(), SYNC, { ...deps(), random });
    const row = await storage.kvStore.get<{ claims?: Array<{ token: string }> }>(KV_ROWS.notices.key);
    expect(row.claims?.map((claim) => claim.token)).toEqual(['claim-token-from-the-port']);
  });

  it('sends one notice when many batches meet the same cause at once, on a store that has no row yet', async () => {
    await Promise.all(Array.from({ length: 12 }, () => notifyBatch(rejectionsEnd(), SYNC, deps())));
    expect(sent('warn')).toHaveLength(1);
  });

  it('names fields dropped for schema drift once per field and sync, in one notice per batch', async () => {
    const drift = (fields: Array<[string, number]>): BatchEnd => ({
      outcomes: [applied(0)],
      droppedFields: new Map(fields),
    });
    await notifyBatch(drift([['usage_notes', 2]]), SYNC, deps());
    await notifyBatch(drift([['usage_notes', 5]]), SYNC, deps());
    await notifyBatch(
      drift([
        ['usage_notes', 1],
        ['region', 3],
      ]),
      SYNC,
      deps(),
    );
    const titles = sent('warn').map((call) => call[1]);
    expect(titles).toEqual([
      'Sync "Assets to Bynder": mapped field "usage_notes" is no longer in Bynder',
      'Sync "Assets to Bynder": mapped field "region" is no longer in Bynder',
    ]);
    expect(sent('warn')[0]?.[2]).toContain('"usage_notes" (2 records)');
    expect(sent('warn')[0]?.[3]).toContain('Remove "usage_notes" from the sync\'s field mapping');

    clock.advance(NOTICE_INTERVAL_MS);
    await notifyBatch(
      drift([
        ['usage_notes', 1],
        ['region', 3],
      ]),
      SYNC,
      deps(),
    );
    expect(sent('warn')[2]?.[1]).toBe('Sync "Assets to Bynder": 2 mapped fields are no longer in Bynder');
  });

  it("says when Bynder's block ends and that the throughput setting is what to lower", async () => {
    const blockedUntil = clock.now() + 5 * 60_000;
    const end: BatchEnd = {
      outcomes: [{ status: 'pending', key: undefined, subject: 'the batch', records: [0], cause: 'x' }],
      stop: { message: 'paused', retryable: true, stoppedBy: { kind: 'rate_limit', blockedUntil } },
    };
    await notifyBatch(end, SYNC, deps());
    await notifyBatch(end, SYNC, deps());
    expect(sent('warn')).toHaveLength(1);
    const [, title, summary, details] = sent('warn')[0] ?? [];
    expect(title).toBe('Sync "Assets to Bynder": Bynder\'s rate limit blocked delivery');
    expect(summary).toContain(`until about ${new Date(blockedUntil).toISOString()}`);
    expect(details).toContain('Lower "Requests per second"');
    expect(details).toContain('Throughput settings');
  });

  it('announces refused credentials once, for the install, without the secret', async () => {
    const end: BatchEnd = {
      outcomes: [],
      stop: {
        message: `https://acme.bynder.com refused the permanent token (401) ${TOKEN}`,
        retryable: false,
        stoppedBy: { kind: 'credentials' },
      },
    };
    await notifyBatch(end, SYNC, deps());
    await notifyBatch(end, OTHER_SYNC, deps());
    clock.advance(2 * NOTICE_INTERVAL_MS); // still refused: not said again
    await notifyBatch(end, SYNC, deps());
    expect(sent('error')).toHaveLength(1);
    expect(sent('error')[0]?.[1]).toBe("Bynder refused the app's credentials");
    expect(sent('error')[0]?.[2]).toContain('refused the permanent token (401)');
    expect(JSON.stringify(everything())).not.toContain(TOKEN);
  });

  it('never fails the caller when the Activity Log refuses a notice', async () => {
    spies.warn.mockRejectedValue(new Error('notifier down'));
    await expect(notifyBatch(rejectionsEnd(), SYNC, deps())).resolves.toBeUndefined();
  });
});

describe('notices from the connection check (ready)', () => {
  const refused = {
    ok: false as const,
    problem: 'credentials',
    message: 'acme refused the permanent token (401)',
  };
  const working = { ok: true as const, portalUrl: 'https://acme.bynder.com' };

  it('says the credentials stopped working, and once that they work again', async () => {
    await notifyConnectionCheck(working, deps()); // nothing was wrong: nothing to say
    expect(everything()).toEqual([]);

    await notifyConnectionCheck(refused, deps());
    await notifyConnectionCheck(refused, deps());
    expect(sent('error')).toHaveLength(1);
    expect(sent('error')[0]?.[2]).toBe('acme refused the permanent token (401)');

    await notifyConnectionCheck(working, deps());
    await notifyConnectionCheck(working, deps());
    expect(sent('success')).toHaveLength(1);
    expect(sent('success')[0]?.[1]).toBe("Bynder accepts the app's credentials again");

    // Refused again within the hour: not said again yet; after the hour it is.
    await notifyConnectionCheck(refused, deps());
    expect(sent('error')).toHaveLength(1);
    clock.advance(NOTICE_INTERVAL_MS);
    await notifyConnectionCheck(refused, deps());
    expect(sent('error')).toHaveLength(2);
  });

  it('says nothing for problems that are not the credentials (an unreachable portal)', async () => {
    await notifyConnectionCheck({ ok: false, problem: 'portal', message: 'not reached' }, deps());
    expect(everything()).toEqual([]);
  });

  it('announces the recovery once when several checks pass at once', async () => {
    await notifyConnectionCheck(refused, deps());
    await Promise.all(Array.from({ length: 8 }, () => notifyConnectionCheck(working, deps())));
    expect(sent('success')).toHaveLength(1);
  });
});

describe('notices for the outbox', () => {
  it('says records were parked, once an hour per sync, with what clears it', async () => {
    const parked = {
      sync: SYNC,
      records: 40,
      cause: 'Bynder refused the credentials',
      fix: "Fix the token in the app's Connection settings.",
      redelivery: 'none' as const,
    };
    await notifyRecordsParked(parked, deps());
    await notifyRecordsParked({ ...parked, records: 3 }, deps());
    expect(sent('warn')).toHaveLength(1);
    const [, title, summary, details] = sent('warn')[0] ?? [];
    expect(title).toBe('Sync "Assets to Bynder": 40 records parked for a later delivery');
    expect(summary).toContain('(Bynder refused the credentials)');
    expect(summary).toContain('OCP will not send them again');
    expect(details).toContain("Fix the token in the app's Connection settings.");
    clock.advance(NOTICE_INTERVAL_MS);
    await notifyRecordsParked(parked, deps());
    expect(sent('warn')).toHaveLength(2);
  });

  it('says OCP may send parked records again when the attempt only may be its last', async () => {
    const parked = { sync: SYNC, records: 1, cause: 'Bynder answered 503', fix: 'Nothing to fix.' };
    await notifyRecordsParked({ ...parked, redelivery: 'possible' }, deps());
    const [, , summary] = sent('warn')[0] ?? [];
    expect(summary).toContain('OCP may not send it again (this was its third or a later attempt)');
    expect(summary).not.toContain('OCP will not');
  });

  it('says parked records were delivered, and how many are left', async () => {
    await notifyParkedDelivered({ sync: SYNC, records: 40, stillParked: 0 }, deps());
    await notifyParkedDelivered({ sync: SYNC, records: 2, stillParked: 0 }, deps());
    await notifyParkedDelivered({ sync: OTHER_SYNC, records: 1, stillParked: 4 }, deps());
    expect(sent('success').map((call) => call[1])).toEqual([
      'Sync "Assets to Bynder": 40 parked records delivered',
      'Sync "Products to Bynder": 1 parked record delivered',
    ]);
    expect(sent('success')[0]?.[2]).toContain('none are left parked');
    expect(sent('success')[1]?.[2]).toContain('4 are still parked');
  });
});
