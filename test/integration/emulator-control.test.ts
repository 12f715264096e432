import { beforeEach, describe, expect, it, vi } from 'vitest';

import { startEmulator, type EmulatorState } from '../../dev/bynder-emulator/server';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Fault injection and the emulator-only admin routes under /__emulator/.
const A = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';
const emulator = useEmulator({ seed: 'demo-portal', rateLimit: false });

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${emulator.url}/__emulator${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
};

beforeEach(() => {
  emulator.faults.clear();
  emulator.clearRequests();
});

describe('emulator faults', () => {
  it('answers an injected 503 with a v4 envelope for `times` matching requests, then recovers', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/:id/', status: 503, times: 2 });
    const id = emulator.snapshot().assets[0]!.id;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await callEmulator(emulator, 'GET', `/api/v4/media/${id}/`)).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
    const other = await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1');
    expect(other.status).toBe(200);
    expect(emulator.requests('GET /api/v4/media/:id/').map((entry) => entry.status)).toEqual([503, 503, 200]);
  });

  it('hits every request with rate 1 and none with rate 0', async () => {
    emulator.faults.add({ match: '/api/v4/metaproperties/', status: 502, rate: 0 });
    expect((await callEmulator(emulator, 'GET', '/api/v4/metaproperties/?options=0')).status).toBe(200);
    emulator.faults.clear();
    emulator.faults.add({ match: '/api/v4/metaproperties/', status: 504, rate: 1 });
    const response = await callEmulator(emulator, 'GET', '/api/v4/metaproperties/?options=0');
    expect(response.status).toBe(504);
    expect(response.json).toEqual({ message: 'Gateway Timeout', statuscode: 504 });
  });

  it('resets the connection (the client sees a network error, the log status 0)', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/', reset: true, times: 1 });
    await expect(callEmulator(emulator, 'GET', '/api/v4/media/')).rejects.toThrow();
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1')).status).toBe(200);
    expect(emulator.requests('GET /api/v4/media/').map((entry) => entry.status)).toEqual([0, 200]);
  });

  it('stalls until the client gives up', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/', stall: true, times: 1 });
    await expect(
      callEmulator(emulator, 'GET', '/api/v4/media/', { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1')).status).toBe(200);
  });

  it('ends a stall after stallMs by closing the connection, still without an answer', async () => {
    emulator.faults.add({ match: 'GET /api/v4/media/', stall: true, stallMs: 100, times: 1 });
    const started = Date.now();
    // The client would wait 5 s; the emulator closes the socket first.
    await expect(
      callEmulator(emulator, 'GET', '/api/v4/media/', { signal: AbortSignal.timeout(5_000) }),
    ).rejects.toThrow(/fetch failed/);
    expect(Date.now() - started).toBeLessThan(4_000);
    // The server side notes the close a moment after the client sees it.
    await vi.waitFor(() =>
      expect(emulator.requests('GET /api/v4/media/').map((entry) => entry.status)).toEqual([0]),
    );
  });

  it('draws fault rates from the random source it is given, so a seeded run hits the same requests', async () => {
    const draws = [0.9, 0.1, 0.9, 0.1];
    const own = await startEmulator({
      faults: [{ match: '/api/v4/metaproperties/', status: 503, rate: 0.5 }],
      random: () => draws.shift() ?? 1,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await callEmulator(own, 'GET', '/api/v4/metaproperties/?options=0')).status);
    }
    await own.stop();
    expect(statuses).toEqual([200, 503, 200, 503]);
  });

  it('does not hang stop() on a stalled request: the client sees the connection close', async () => {
    const own = await startEmulator({ faults: [{ stall: true }] });
    const pending = fetch(`${own.url}/api/v4/media/`, { headers: { Authorization: `Bearer ${own.token}` } });
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the request reach the server
    await own.stop();
    await expect(pending).rejects.toThrow();
  });

  it('adds latency and still answers (latency is configurable at runtime)', async () => {
    emulator.configure({ latency: { ms: 5, jitterMs: 5 } });
    emulator.faults.add({ match: 'GET /api/v4/media/', delayMs: 10, times: 1 });
    const response = await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1');
    emulator.configure({ latency: { ms: 0, jitterMs: 0 } });
    expect(response.status).toBe(200);
  });
});

describe('emulator admin routes (/__emulator/)', () => {
  it('adds and clears faults over HTTP', async () => {
    const added = await admin('POST', '/faults', { match: 'GET /api/v4/media/', status: 500, times: 1 });
    expect(added.status).toBe(201);
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/')).status).toBe(500);
    await admin('POST', '/faults', { match: 'GET /api/v4/media/', status: 500 });
    expect((await admin('DELETE', '/faults')).status).toBe(204);
    expect((await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1')).status).toBe(200);
    expect((await admin('POST', '/faults', { status: 'boom' })).status).toBe(400);
  });

  it('patches config over HTTP (strict mode on and off)', async () => {
    const patched = await admin('POST', '/config', { strict: true, applyDelayMs: 0 });
    expect(patched.json).toMatchObject({ strict: true });
    const id = emulator.snapshot().assets[0]!.id;
    const strict = await callEmulator(emulator, 'POST', `/api/v4/media/${id}/`, { form: { nonsense: 'x' } });
    await admin('POST', '/config', { strict: false });
    expect(strict.status).toBe(400);
    expect((await admin('POST', '/config', { nope: 1 })).status).toBe(400);
  });

  it('reports requests with counts by route and status; admin calls are not logged, unknown routes are', async () => {
    await callEmulator(emulator, 'GET', '/api/v4/media/?limit=1');
    await callEmulator(emulator, 'GET', `/api/v4/media/${A}/`);
    await callEmulator(emulator, 'GET', '/api/v5/whatever');
    const { json } = await admin('GET', '/requests');
    const body = json as {
      entries: Array<{ route: string; path: string; status: number; at: number }>;
      counts: {
        byRoute: Record<string, number>;
        byStatus: Record<string, number>;
        byRouteAndStatus: Record<string, Record<string, number>>;
      };
    };
    expect(body.entries.map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /api/v4/media/', 200],
      ['GET /api/v4/media/:id/', 404],
      ['UNMATCHED', 404],
    ]);
    expect(body.entries.every((entry) => typeof entry.at === 'number' && !entry.path.includes('?'))).toBe(
      true,
    );
    expect(body.counts.byStatus).toEqual({ 200: 1, 404: 2 });
    expect(body.counts.byRouteAndStatus['GET /api/v4/media/:id/']).toEqual({ 404: 1 });
  });

  it('dumps state that loads back as a seed, after writes and deletes', async () => {
    const [first, second] = emulator.snapshot().assets;
    await callEmulator(emulator, 'POST', `/api/v4/media/${first!.id}/`, { form: { description: 'changed' } });
    await callEmulator(emulator, 'DELETE', `/api/v4/media/${second!.id}/`);
    await emulator.settle();
    const dump = (await admin('GET', '/state')).json as EmulatorState;
    expect(dump.trash.map((media) => media.id)).toEqual([second!.id]);
    expect(dump.requests.length).toBe(2);

    // A dump is a valid seed: its extra `requests` member is ignored on load.
    const reloaded = await startEmulator({ seed: dump, rateLimit: false });
    try {
      const again = reloaded.snapshot();
      expect(reloaded.seedWarnings()).toEqual([]);
      expect(again.metaproperties).toEqual(dump.metaproperties);
      expect(again.assets).toEqual(dump.assets);
      expect(again.trash).toEqual(dump.trash);
    } finally {
      await reloaded.stop();
    }
    const seeded = await admin('POST', '/seed', {
      metaproperties: dump.metaproperties,
      assets: dump.assets.slice(0, 3),
    });
    expect(seeded.json).toMatchObject({ assets: 3, warnings: [] });
    expect(emulator.snapshot().assets).toHaveLength(3);
    expect((await admin('POST', '/seed', { assets: [{ name: 'no id' }] })).status).toBe(400);
  });
});
