import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_PORTAL_PATH } from '../../dev/bynder-emulator/seed';
import { startUi, type RunningUi } from '../../dev/ui/ui-server';

// The page's Cancel button, at the server: POST /api/runs/:id/cancel stops a run started from the
// page as Ctrl-C stops `sync`. Every write waits at the emulator, and Cancel is pressed when the
// first progress event counts a write, so the run is mid-way: its first batch in flight, the
// later ones (seconds of writes) not started.

const RECORDS = 60;
const BATCH = 10;
const WRITE_DELAY_MS = 100;

interface RunEvent {
  type: string;
  data: Record<string, unknown>;
}

interface Summary {
  records: number;
  applied: number;
  deleted: number;
  ignoredDeletes: number;
  rejected: number;
  pending: number;
  cancelled?: string;
  pendingCauses: Array<{ cause: string; count: number }>;
}

let ui: RunningUi;

beforeAll(async () => {
  ui = await startUi({ port: 0, seed: DEMO_PORTAL_PATH });
}, 60_000);

afterAll(async () => {
  await ui?.stop();
});

/** A state-changing request as the page sends it: same origin, JSON. */
function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${ui.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ui.url },
    body: JSON.stringify(body),
  });
}

/** Reads the run's server-sent events until 'end', calling `onEvent` as each arrives. */
async function follow(id: string, onEvent: (event: RunEvent) => Promise<void>): Promise<RunEvent[]> {
  const response = await fetch(`${ui.url}/api/runs/${id}/events`);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no event stream');
  const decoder = new TextDecoder();
  const events: RunEvent[] = [];
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    buffered += decoder.decode(value, { stream: true });
    const blocks = buffered.split('\n\n');
    buffered = blocks.pop() ?? '';
    for (const block of blocks) {
      const type = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      const event = { type, data };
      events.push(event);
      await onEvent(event);
      if (type === 'end') return events;
    }
  }
}

describe('the page Cancel button (POST /api/runs/:id/cancel)', () => {
  it('stops a page run mid-way: the batch in flight finishes, the summary is marked cancelled and counts the rest pending', async () => {
    const ids = ui.emulator
      .snapshot()
      .assets.slice(0, RECORDS)
      .map((asset) => asset.id);
    const csv = ['asset_id,description', ...ids.map((id) => `${id},cancelled run`), ''].join('\n');
    const upload = await fetch(`${ui.url}/api/sources?name=records.csv`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Origin: ui.url },
      body: csv,
    });
    expect(upload.status).toBe(200);
    const { id: sourceId } = (await upload.json()) as { id: string };
    ui.emulator.faults.add({ match: 'POST /api/v4/media/:id/', delayMs: WRITE_DELAY_MS });

    const started = await post('/api/runs', { sourceId, runner: { batchSize: String(BATCH) } });
    expect(started.status).toBe(202);
    const { id: runId } = (await started.json()) as { id: string };

    let cancelAnswer: number | undefined;
    const events = await follow(runId, async (event) => {
      const done = (event.data as { done?: number }).done ?? 0;
      if (event.type === 'progress' && done > 0 && cancelAnswer === undefined) {
        cancelAnswer = (await post(`/api/runs/${runId}/cancel`, {})).status;
      }
    });

    expect(cancelAnswer).toBe(202);
    const summary = events.find((e) => e.type === 'summary')?.data.summary as Summary;
    expect(summary.cancelled).toBe('cancelled from the page');
    expect(summary.records).toBe(RECORDS);
    const { applied, deleted, ignoredDeletes, rejected, pending } = summary;
    expect(applied + deleted + ignoredDeletes + rejected + pending).toBe(RECORDS);
    expect(applied).toBeGreaterThanOrEqual(BATCH);
    expect(pending).toBeGreaterThanOrEqual(BATCH);
    expect(summary.pendingCauses).toEqual([
      { cause: 'not sent: the run was cancelled from the page', count: pending },
    ]);
    await ui.emulator.settle();
    const written = ui.emulator.snapshot().assets.filter((a) => a.description === 'cancelled run');
    expect(written).toHaveLength(applied);
    expect(events.at(-1)?.type).toBe('end');

    // After its end there is nothing to cancel; an unknown run is not found.
    expect((await post(`/api/runs/${runId}/cancel`, {})).status).toBe(409);
    expect((await post('/api/runs/r999/cancel', {})).status).toBe(404);
  }, 90_000);
});

describe('held deletes on the page', () => {
  it('shows the deletes past "Deletes and archives per hour" as held, beside the other counts', async () => {
    const ids = ui.emulator
      .snapshot()
      .assets.slice(RECORDS, RECORDS + 5)
      .map((asset) => asset.id);
    const csv = ['asset_id,_isDeleted', ...ids.map((id) => `${id},true`), ''].join('\n');
    const upload = await fetch(`${ui.url}/api/sources?name=deletes.csv`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Origin: ui.url },
      body: csv,
    });
    const { id: sourceId } = (await upload.json()) as { id: string };
    const saved = await post('/api/settings/records', {
      action: 'save',
      data: { primary_key: 'asset_id', delete_policy: 'archive', max_deletes_per_hour: '2' },
    });
    expect(saved.status).toBe(200);

    const started = await post('/api/runs', { sourceId, runner: { batchSize: '5' } });
    const { id: runId } = (await started.json()) as { id: string };
    const events = await follow(runId, () => Promise.resolve());
    const summary = events.find((e) => e.type === 'summary')?.data.summary as Summary & {
      held: number;
      heldTotal: number;
    };
    expect(summary).toMatchObject({ records: 5, deleted: 2, held: 3, heldTotal: 3, pending: 0 });
    // Progress events carry the count as it moves; the summary's counts are what the page shows last.
    const progress = events.find((e) => e.type === 'progress')?.data as { counts: object };
    expect(progress.counts).toHaveProperty('held');
    // The page's counts and its Sync status section show them.
    const page = await (await fetch(`${ui.url}/app.js`)).text();
    expect(page).toContain("['held', 'held deletes']");
    const stored = (await (await fetch(`${ui.url}/api/settings`)).json()) as {
      values: { sync_status?: { text?: string } };
    };
    expect(stored.values.sync_status?.text).toContain('**Held deletes:** 3');
  }, 60_000);
});
