import { describe, expect, it } from 'vitest';

import { buildRunSummary, formatJsonSummary, formatSummary } from '../../dev/cli/sync/summary/run-summary';
import { RunTally } from '../../dev/cli/sync/summary/run-tally';
import { reasonKind } from '../../src/lib/delivery/reason-kind';

function sampleTally(): RunTally {
  const tally = new RunTally();
  tally.records = 10;
  tally.count('applied', 5);
  tally.count('deleted', 2);
  tally.reject({
    key: 'B',
    field: 'campaign',
    reason: 'field "campaign": "Sumer" is not an option of "Campaign" (Summer, Winter)',
    line: 9,
  });
  tally.reject({ key: '', field: '', reason: 'unreadable line: not valid JSON', line: 3 });
  tally.leavePending(1, 'Bynder unavailable');
  tally.batches = 2;
  tally.retries = 3;
  return tally;
}

const CONTEXT = {
  elapsedMs: 4_000,
  requests: {
    total: 10,
    byRoute: { 'POST /api/v4/media/:id/': 8, 'GET /api/v4/metaproperties/': 2 },
    rateLimited: 0,
    countedBy: "emulator's request log",
  },
  deletePolicy: 'archive',
  rejectionsFile: '/tmp/run/rejections.jsonl',
  unmatchedColumns: ['Notes'],
  notifications: [
    {
      severity: 'warn' as const,
      activity: 'Bynder Assets data sync',
      title: 'Sync "local": 2 records rejected',
      summary: '2 of 10 records in a batch were not written to Bynder because of their data',
      details: 'First rejected: asset_id "B"',
    },
  ],
  source: 'data.csv',
  target: 'embedded emulator',
  appLog: '/tmp/run/app.log',
};

describe('run summary', () => {
  it('keeps every record in exactly one bucket and computes requests per second from the elapsed time', () => {
    const summary = buildRunSummary(sampleTally(), CONTEXT);
    expect(
      summary.applied + summary.deleted + summary.ignoredDeletes + summary.rejected + summary.pending,
    ).toBe(summary.records);
    expect(summary.requestsPerSecond).toBe(2.5);
  });

  it('lists rejections by source line, whenever they were found', () => {
    const summary = buildRunSummary(sampleTally(), CONTEXT);
    expect(summary.rejections.map((r) => r.line)).toEqual([3, 9]);
  });

  it('prints one labelled line per count, the first reasons, and where the full list is', () => {
    const text = formatSummary(buildRunSummary(sampleTally(), CONTEXT));
    expect(text).toMatch(/records read\s+10/);
    expect(text).toMatch(/applied\s+5/);
    expect(text).toMatch(/deleted\/archived\s+2 {2}deletes carried out \(delete policy: archive\)/);
    expect(text).toMatch(/rejected\s+2/);
    expect(text).toContain('line 9, key "B": field "campaign": "Sumer" is not an option');
    expect(text).toContain('all rejections: /tmp/run/rejections.jsonl');
    expect(text).toMatch(/pending\s+1 {2}not applied yet/);
    expect(text).toContain('1 x Bynder unavailable');
    expect(text).toMatch(
      /requests\s+10 {2}counted by the emulator's request log: POST \/api\/v4\/media\/:id\/ 8/,
    );
    expect(text).toMatch(/requests\/second\s+2\.5/);
    expect(text).toMatch(/elapsed\s+4\.0 s {2}2 batches, 3 re-deliveries/);
    expect(text).toContain('columns not sent: Notes');
    expect(text).toContain("notifications (OCP's Activity Log): 1");
    expect(text).toContain('warn: Sync "local": 2 records rejected');
    expect(text).toContain('First rejected: asset_id "B"');
  });

  it('says how many records the outbox dropped past its bound, and keeps quiet when none were', () => {
    const quiet = formatSummary(buildRunSummary(sampleTally(), CONTEXT));
    expect(quiet).not.toContain('DROPPED');
    const summary = buildRunSummary(sampleTally(), { ...CONTEXT, parked: 40, outboxDropped: 3 });
    expect(summary.outboxDropped).toBe(3);
    const text = formatSummary(summary);
    expect(text).toMatch(/parked \(outbox\)\s+40/);
    expect(text).toMatch(/DROPPED \(outbox full\)\s+3 {2}lost: the outbox was full/);
  });

  it('shows created, versioned and queued records, queued apart from applied, and only when there are any', () => {
    expect(formatSummary(buildRunSummary(sampleTally(), CONTEXT))).not.toMatch(/queued/);
    const tally = sampleTally();
    tally.created = 2;
    tally.versioned = 1;
    tally.count('applied', -1);
    tally.queued = 1;
    const summary = buildRunSummary(tally, CONTEXT);
    expect(
      summary.applied +
        summary.deleted +
        summary.ignoredDeletes +
        summary.rejected +
        summary.pending +
        summary.queued,
    ).toBe(summary.records);
    const text = formatSummary(summary);
    expect(text).toMatch(/created\s+2 {2}of applied: new assets uploaded/);
    expect(text).toMatch(/versioned\s+1 {2}of applied: a changed file saved as a new version/);
    expect(text).toMatch(/queued\s+1 {2}queued for creation: the creation job finishes them \(not applied\)/);
    expect(JSON.parse(formatJsonSummary(summary))).toMatchObject({ created: 2, versioned: 1, queued: 1 });
  });

  it('writes the JSON summary with the keys scripts rely on', () => {
    const json = JSON.parse(formatJsonSummary(buildRunSummary(sampleTally(), CONTEXT))) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      records: 10,
      applied: 5,
      rejected: 2,
      deleted: 2,
      pending: 1,
      requests: 10,
      elapsedMs: 4000,
    });
    expect(json.rejections).toEqual([
      { key: '', field: '', reason: 'unreadable line: not valid JSON', line: 3 },
      expect.objectContaining({ key: 'B', field: 'campaign' }),
    ]);
    expect(json.notifications).toEqual([
      expect.objectContaining({ severity: 'warn', title: 'Sync "local": 2 records rejected' }),
    ]);
  });
});

describe('grouping rejection reasons', () => {
  it('groups by what is wrong, without the values', () => {
    const a = reasonKind({
      field: 'campaign',
      reason: 'field "campaign": "Sumer" is not an option of "Campaign" (Summer, Winter, …',
    });
    const b = reasonKind({
      field: 'campaign',
      reason: 'field "campaign": "Wntr" is not an option of "Campaign" (Summer, Winter)',
    });
    expect(a).toBe(b);
    expect(a).toBe('campaign: "…" is not an option of "…"');
  });

  it('groups text lengths but keeps the numbers that are part of the message (ISO 8601, 1 and 0)', () => {
    const long = (n: string) =>
      reasonKind({
        field: 'photographer',
        reason: `field "photographer": is ${n} characters long; Bynder allows at most 2,500`,
      });
    expect(long('2,603')).toBe(long('9,001'));
    expect(
      reasonKind({
        field: 'date_published',
        reason: 'field "date_published": "31/12" is not an ISO 8601 date',
      }),
    ).toBe('date_published: "…" is not an ISO 8601 date');
  });
});
