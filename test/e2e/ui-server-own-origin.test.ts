import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { storage } from '@zaiusinc/app-sdk';

import { DEMO_PORTAL_PATH } from '../../dev/bynder-emulator/seed';
import { startUi, UiPortTakenError, type RunningUi } from '../../dev/ui/ui-server';
import { SECTION } from '../../src/lib/config';
import { useLoopbackServer } from '../helpers/loopback-server';

// The local page's server (`npm run cli -- ui`) answers only its own page. A web page elsewhere in
// the browser reaches a loopback port two ways: by DNS rebinding (its own name, resolving to
// 127.0.0.1, arrives as the Host header, and it can read the answers), and by plain cross-site
// requests (a form or a text/plain fetch: answers unreadable, effects real). Each test plays one of
// those and checks that nothing was read, nothing stored changed and no request left for Bynder.

/** Small bounds, so an oversized upload is a few kilobytes. */
const LIMITS = { maxFileBytes: 4096, maxFiles: 3, maxTotalBytes: 10_000 };
const FOREIGN_HOST = 'rebound.example';

interface Answer {
  status: number;
  text: string;
}

/** One request with exactly the headers given (fetch would not let a test set Host). */
function send(
  url: string,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${pathname}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function storedSettings(): Promise<unknown> {
  const rows: Record<string, unknown> = {};
  for (const section of Object.values(SECTION)) rows[section] = await storage.settings.get(section);
  rows.secrets = await storage.secrets.get(SECTION.connection);
  return rows;
}

describe('the local page serves only itself', () => {
  let ui: RunningUi;
  /** The Host header and Origin of the page as the browser sends them. */
  let own: { host: string; origin: string };
  let foreign: { host: string; origin: string };
  let before: unknown;
  /** A portal a rebinding page would name; it must never be asked anything. */
  let foreignPortalRequests = 0;
  const foreignPortal = useLoopbackServer((_req, res) => {
    foreignPortalRequests += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
  });

  const pageRequest = (method: string, pathname: string, body?: unknown) =>
    send(
      ui.url,
      method,
      pathname,
      { Host: own.host, Origin: own.origin, 'Content-Type': 'application/json' },
      JSON.stringify(body),
    );

  beforeAll(async () => {
    ui = await startUi({ port: 0, seed: DEMO_PORTAL_PATH, uploadLimits: LIMITS });
    const port = new URL(ui.url).port;
    own = { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
    foreign = { host: `${FOREIGN_HOST}:${port}`, origin: `http://${FOREIGN_HOST}:${port}` };
    // As the page saves them: a connection with the token, and records settings off their defaults.
    const connection = await pageRequest('POST', '/api/settings/connection', {
      action: 'save',
      data: { portal: ui.emulator.url, auth_method: 'permanent_token', token: ui.emulator.token },
    });
    const records = await pageRequest('POST', '/api/settings/records', {
      action: 'save',
      data: {
        primary_key: 'asset_id',
        delete_policy: 'delete',
        empty_values: 'clear',
        unknown_options: 'drop',
      },
    });
    before = await storedSettings();
    // The tests below compare with this: it must hold what the page saved.
    if (!JSON.stringify(before).includes('"delete_policy":"delete"') || !connection.text.includes('saved')) {
      throw new Error(`the page's settings were not saved: ${connection.text} ${records.text}`);
    }
  });

  afterAll(async () => {
    await ui?.stop();
  });

  beforeEach(() => {
    ui.emulator.clearRequests();
    foreignPortalRequests = 0;
  });

  const nothingChanged = async () => {
    expect(await storedSettings()).toEqual(before);
    expect(ui.emulator.requests()).toEqual([]);
    expect(foreignPortalRequests).toBe(0);
  };

  it('answers 421 and reads nothing for a request naming a foreign host, on every route', async () => {
    for (const pathname of [
      '/',
      '/app.js',
      '/api/form',
      '/api/settings',
      '/api/destinations',
      '/api/destinations/bynder_assets/schema',
      '/api/runs/r1/events',
    ]) {
      const answer = await send(ui.url, 'GET', pathname, { Host: foreign.host });
      expect({ pathname, status: answer.status }).toEqual({ pathname, status: 421 });
      expect(answer.text).not.toContain(ui.emulator.url);
      expect(answer.text).not.toContain('delete_policy');
      expect(answer.text).toContain('answers only its own page');
    }
    await nothingChanged();
  });

  it('sends nothing to a portal a rebinding page names with "Test connection"', async () => {
    const answer = await send(
      ui.url,
      'POST',
      '/api/settings/connection',
      { Host: foreign.host, Origin: foreign.origin, 'Content-Type': 'application/json' },
      JSON.stringify({ action: 'test_connection', data: { portal: foreignPortal.url } }),
    );
    expect(answer.status).toBe(421);
    await nothingChanged();
  });

  it('refuses a cross-site text/plain POST: the records settings keep their values', async () => {
    const attack = JSON.stringify({ action: 'save', data: {} });
    const crossSite = await send(
      ui.url,
      'POST',
      '/api/settings/records',
      { Host: own.host, Origin: 'http://attacker.example', 'Content-Type': 'text/plain' },
      attack,
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('comes from http://attacker.example');
    await nothingChanged();
  });

  it('refuses a state-changing request with no Origin, or from another loopback origin', async () => {
    const body = JSON.stringify({ action: 'save', data: {} });
    const json = { Host: own.host, 'Content-Type': 'application/json' };
    const noOrigin = await send(ui.url, 'POST', '/api/settings/records', json, body);
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.text).toContain('carries no Origin header');
    // Another page on this machine (another port) is another origin.
    const otherPort = await send(
      ui.url,
      'POST',
      '/api/settings/records',
      { ...json, Origin: 'http://127.0.0.1:1' },
      body,
    );
    expect(otherPort.status).toBe(403);
    const run = await send(
      ui.url,
      'POST',
      '/api/runs',
      { ...json, Origin: 'http://attacker.example' },
      JSON.stringify({ sourceId: 's1' }),
    );
    expect(run.status).toBe(403);
    await nothingChanged();
  });

  it('refuses a same-origin JSON route whose body is not declared JSON (415), changing nothing', async () => {
    const answer = await send(
      ui.url,
      'POST',
      '/api/settings/records',
      { Host: own.host, Origin: own.origin, 'Content-Type': 'text/plain' },
      JSON.stringify({ action: 'save', data: {} }),
    );
    expect(answer.status).toBe(415);
    expect(answer.text).toContain('Content-Type: application/json');
    await nothingChanged();
  });

  it("accepts each of the page's own host names, with its own origin", async () => {
    const port = new URL(ui.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const read = await send(ui.url, 'GET', '/api/settings', { Host: host });
      expect({ host, status: read.status }).toEqual({ host, status: 200 });
      const check = await send(
        ui.url,
        'POST',
        '/api/mapping/yaml',
        { Host: host, Origin: `http://${host}`, 'Content-Type': 'application/json' },
        JSON.stringify({ mapping: { Title: 'name' } }),
      );
      expect({ host, status: check.status }).toEqual({ host, status: 200 });
    }
  });

  describe('uploads are bounded', () => {
    const upload = (name: string, bytes: Buffer | string) =>
      send(
        ui.url,
        'POST',
        `/api/sources?name=${encodeURIComponent(name)}`,
        { Host: own.host, Origin: own.origin, 'Content-Type': 'application/octet-stream' },
        bytes,
      );
    const csv = (rows: number) =>
      `asset_id,name\n${Array.from({ length: rows }, (_, i) => `id-${i},Name ${i}`).join('\n')}\n`;

    it('refuses a file over the size per file, saying the limits and the way round them', async () => {
      const answer = await upload('big.csv', csv(600));
      expect(answer.status).toBe(413);
      const { error } = JSON.parse(answer.text) as { error: string };
      expect(error).toMatch(/^"big\.csv" is [\d.]+ KB: the page takes source files of up to 4 KB each/);
      expect(error).toContain('at most 3 files and 9.8 KB at once');
      expect(error).toContain('npm run cli -- sync --source FILE');
    });

    it('refuses an upload that does not say its size', async () => {
      const answer = await new Promise<Answer>((resolve, reject) => {
        // Chunked: no Content-Length.
        const request = http.request(
          `${ui.url}/api/sources?name=a.csv`,
          { method: 'POST', headers: { Host: own.host, Origin: own.origin } },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        request.on('error', reject);
        request.write(csv(2));
        request.end();
      });
      expect(answer.status).toBe(411);
      expect(answer.text).toContain('came without its size');
    });

    it('keeps at most the bounded number of files: the oldest make room and are gone', async () => {
      const ids: string[] = [];
      for (let i = 0; i < LIMITS.maxFiles + 1; i++) {
        const answer = await upload(`source-${i}.csv`, csv(3));
        expect(answer.status).toBe(200);
        ids.push((JSON.parse(answer.text) as { id: string }).id);
      }
      const run = await pageRequest('POST', '/api/runs', { sourceId: ids[0] });
      expect(run.status).toBe(400);
      expect(run.text).toContain('upload the CSV or JSON Lines file again');
    });

    it('keeps at most the bounded bytes in all: older uploads are dropped to make room', async () => {
      /** A CSV of exactly `bytes` bytes: three of them pass the 10,000 bytes in all, two do not. */
      const sized = (bytes: number) => {
        const header = 'asset_id,name\n';
        return `${header}a1,${'x'.repeat(bytes - header.length - 4)}\n`;
      };
      const ids: string[] = [];
      for (const name of ['first.csv', 'second.csv', 'third.csv']) {
        const answer = await upload(name, sized(3500));
        expect(answer.status).toBe(200);
        ids.push((JSON.parse(answer.text) as { id: string }).id);
      }
      // Three files, within the count of 3, but 10,500 bytes: the first had to go.
      const run = await pageRequest('POST', '/api/runs', { sourceId: ids[0] });
      expect(run.status).toBe(400);
      expect(run.text).toContain('upload the CSV or JSON Lines file again');
    });
  });
});

describe("the page's port", () => {
  let blocker: http.Server;
  let busyPort: number;

  beforeAll(async () => {
    blocker = http.createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    busyPort = (blocker.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('serves on another free port when the asked-for one is taken, and says which', async () => {
    const ui = await startUi({ port: busyPort, seed: DEMO_PORTAL_PATH });
    try {
      const port = Number(new URL(ui.url).port);
      expect(port).not.toBe(busyPort);
      expect(ui.portNote).toBe(`port ${busyPort} is taken; serving on port ${port} instead`);
      const page = await send(ui.url, 'GET', '/', { Host: `127.0.0.1:${port}` });
      expect(page.text).toContain('local Sync Manager');
    } finally {
      await ui.stop();
    }
  });

  it('fails with what to do when the port is taken and strictPort is set', async () => {
    await expect(startUi({ port: busyPort, strictPort: true, seed: DEMO_PORTAL_PATH })).rejects.toThrow(
      new UiPortTakenError(
        `port ${busyPort} is taken (another process listens on 127.0.0.1:${busyPort}); ` +
          'pass another --port, --port 0 for any free one, or leave out --strict-port to take the next free one',
      ),
    );
  });
});
