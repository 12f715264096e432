import { beforeEach, describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { OPTION_PAGING_CONCURRENCY } from '../../src/lib/bynder/metaproperty-listing';
import { startEmulator } from '../../dev/bynder-emulator/server';
import { useLoopbackServer } from '../helpers/loopback-server';
import { recordingLogger } from '../helpers/test-loggers';
import { portalOf } from '../helpers/portal-origin';

// The field model's cost must follow the portal: one listing with options embedded, and option
// pages only for lists that may be incomplete, paged a few at a time. A tiny local server plays the
// cases the emulator does not (a truncated embedded list, a listing too slow with options).

const TOKEN = 'listing-token-3b8d';
const logLines: string[] = [];
const logger = recordingLogger(logLines);

describe('listMetaproperties against the emulator', () => {
  it('lists 300 select metaproperties with their options in one request', async () => {
    const metaproperties = Object.fromEntries(
      Array.from({ length: 300 }, (_, m) => [
        `select_${m}`,
        {
          id: `MP-${m}`,
          name: `select_${m}`,
          type: 'select',
          options: Array.from({ length: 20 }, (_option, o) => ({ id: `MP-${m}-O${o}`, name: `o${o}` })),
        },
      ]),
    );
    const emulator = await startEmulator({ seed: { metaproperties, assets: [] }, rateLimit: false });
    try {
      const client = new BynderClient({
        portalUrl: portalOf(emulator.url),
        credentials: { kind: 'permanent_token', token: emulator.token },
        logger,
      });
      const listed = (await client.listMetaproperties()).metaproperties;
      expect(listed).toHaveLength(300);
      expect(listed.every((m) => m.options?.length === 20)).toBe(true);
      expect(emulator.requests().map((r) => r.route)).toEqual(['GET /api/v4/metaproperties/']);
    } finally {
      await emulator.stop();
    }
  });
});

describe('listMetaproperties: which lists are paged', () => {
  let listing: (embed: boolean) => { status: number; body: unknown; delayMs?: number };
  let optionCount: (id: string) => number;
  const seen: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const client = (timeoutMs = 30_000) =>
    new BynderClient({
      portalUrl: portalOf(server.url),
      credentials: { kind: 'permanent_token', token: TOKEN },
      logger,
      retries: 0,
      timeoutMs,
    });

  const options = (id: string, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `${id}-O${from + i}`, name: `o${from + i}` }));

  const server = useLoopbackServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${parsed.pathname}${parsed.search}`);
    const send = (status: number, body: unknown, delayMs = 0) =>
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, delayMs);
    const optionsPath = /^\/api\/v4\/metaproperties\/([^/]+)\/options\/$/.exec(parsed.pathname);
    if (parsed.pathname === '/api/v4/metaproperties/') {
      const answer = listing(parsed.searchParams.get('options') !== '0');
      send(answer.status, answer.body, answer.delayMs);
    } else if (optionsPath) {
      const id = optionsPath[1] ?? '';
      const page = Number(parsed.searchParams.get('page'));
      const limit = Number(parsed.searchParams.get('limit'));
      const from = (page - 1) * limit;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        if (id === 'FAILS') send(500, { message: 'boom' });
        else send(200, options(id, from, Math.max(0, Math.min(limit, optionCount(id) - from))));
      }, 20);
    } else send(404, { message: 'not here' });
  });

  beforeEach(() => {
    seen.length = 0;
    logLines.length = 0;
    inFlight = 0;
    maxInFlight = 0;
    optionCount = () => 0;
  });

  const optionPagesOf = (id: string) =>
    seen.filter((line) => line.startsWith(`GET /api/v4/metaproperties/${id}/`));

  it('pages an embedded list at 1,000 options (it may be cut) and a select listed without options', async () => {
    optionCount = (id) => (id === 'BIG' ? 1_500 : 7);
    listing = () => ({
      status: 200,
      body: {
        Big: { id: 'BIG', name: 'big', type: 'select', options: options('BIG', 0, 1_000) },
        Bare: { id: 'BARE', name: 'bare', type: 'select2' },
        Small: { id: 'SMALL', name: 'small', type: 'select', options: options('SMALL', 0, 999) },
        Notes: { id: 'NOTES', name: 'notes', type: 'text', options: [] },
      },
    });
    const listed = (await client().listMetaproperties()).metaproperties;
    const count = (id: string) => listed.find((m) => m.id === id)?.options?.length;
    expect([count('BIG'), count('BARE'), count('SMALL'), count('NOTES')]).toEqual([1_500, 7, 999, 0]);
    expect(seen[0]).toBe('GET /api/v4/metaproperties/?options=1');
    expect(optionPagesOf('BIG')).toHaveLength(2);
    expect(optionPagesOf('BARE')).toHaveLength(1);
    expect(optionPagesOf('SMALL')).toEqual([]);
  });

  it(`pages at most ${OPTION_PAGING_CONCURRENCY} lists at a time, and starts none after a failure`, async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `MP${i}`);
    listing = () => ({
      status: 200,
      body: Object.fromEntries(ids.map((id) => [id, { id, name: id.toLowerCase(), type: 'select' }])),
    });
    await client().listMetaproperties();
    expect(maxInFlight).toBe(OPTION_PAGING_CONCURRENCY);

    seen.length = 0;
    listing = () => ({
      status: 200,
      body: Object.fromEntries(
        ['FAILS', ...ids].map((id) => [id, { id, name: id.toLowerCase(), type: 'select' }]),
      ),
    });
    await expect(client().listMetaproperties()).rejects.toThrow(/options\/ is unavailable.*500/);
    // The failure came back while the first few were in flight; the rest never started.
    expect(seen.filter((line) => line.includes('/options/')).length).toBeLessThanOrEqual(
      OPTION_PAGING_CONCURRENCY * 2,
    );
  });

  it('falls back to the listing without options, paging every option list, when the full listing gets no answer', async () => {
    optionCount = () => 3;
    listing = (embed) =>
      embed
        ? { status: 200, body: {}, delayMs: 2_000 }
        : { status: 200, body: { Region: { id: 'R', name: 'region', type: 'select' } } };
    const listed = (await client(300).listMetaproperties()).metaproperties;
    expect(listed[0]?.options).toHaveLength(3);
    expect(seen.slice(0, 2)).toEqual([
      'GET /api/v4/metaproperties/?options=1',
      'GET /api/v4/metaproperties/?options=0',
    ]);
    expect(logLines.join('\n')).toContain(
      'listing metaproperties without options and paging each option list',
    );
  });
});
