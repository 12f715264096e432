import { createHash } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  generatedFile,
  parseFileSize,
  type RunningFileHost,
  startFileHost,
} from '../../dev/file-host/server';

let host: RunningFileHost;
beforeAll(async () => {
  host = await startFileHost();
});
afterAll(async () => {
  await host.stop();
});
beforeEach(() => host.clearRequests());

function sha256Of(name: string, size: number): string {
  const hash = createHash('sha256');
  for (const block of generatedFile(name, size)) hash.update(block);
  return hash.digest('hex');
}

describe('generated files', () => {
  it('serves <size> deterministic bytes with the type of the name and its signature first', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const response = await fetch(host.fileUrl(size, 'shoe.jpg'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('content-length')).toBe(String(size));
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(size);
    expect([...body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256Of('shoe.jpg', size));
    // Same name and size, same bytes; another name, other bytes.
    expect(sha256Of('shoe.jpg', size)).not.toBe(sha256Of('boot.jpg', size));
  });

  it('reads sizes with binary suffixes and refuses what is not a size', async () => {
    expect(parseFileSize('512k')).toBe(512 * 1024);
    expect(parseFileSize('100m')).toBe(100 * 1024 ** 2);
    expect(parseFileSize('1g')).toBe(1024 ** 3);
    expect(parseFileSize('1.5m')).toBeUndefined();
    expect(parseFileSize('65g')).toBeUndefined();
    const response = await fetch(`${host.url}/files/lots/a.jpg`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/size "lots" is not a byte count/);
  });

  it('answers HEAD with the length of a 1 GB file without generating it', async () => {
    const response = await fetch(host.fileUrl('1g', 'huge.png'), { method: 'HEAD' });
    expect(response.headers.get('content-length')).toBe(String(1024 ** 3));
    expect(response.headers.get('content-type')).toBe('image/png');
  });

  it('leaves out Content-Length with chunked=1, and signs executables and scripts as what they are', async () => {
    const chunked = await fetch(host.fileUrl(1000, 'a.jpg', { chunked: 1 }));
    expect(chunked.headers.get('content-length')).toBeNull();
    expect((await chunked.arrayBuffer()).byteLength).toBe(1000);
    const exe = await fetch(host.fileUrl(100, 'setup.exe', { type: 'image/jpeg' }));
    expect(exe.headers.get('content-type')).toBe('image/jpeg');
    expect(
      Buffer.from(await exe.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('MZ');
  });

  it('records every request with its headers, so a test can see what a client forwarded', async () => {
    await (await fetch(host.fileUrl(10, 'a.jpg'), { headers: { Cookie: 'session=1' } })).arrayBuffer();
    expect(host.requests()).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/files/10/a.jpg',
        headers: expect.objectContaining({ cookie: 'session=1' }),
      }),
    ]);
  });
});

describe('redirects', () => {
  it('answers a chain of n redirects, then the target', async () => {
    const target = host.fileUrl(10, 'end.jpg');
    const hops: string[] = [];
    let url = host.redirectUrl(3, target);
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(302);
      url = new URL(response.headers.get('location') ?? '', url).toString();
      hops.push(url);
    }
    expect(hops.at(-1)).toBe(target);
    expect(hops.slice(0, 2).map((hop) => new URL(hop).pathname)).toEqual(['/redirect/2', '/redirect/1']);
  });

  it('redirects anywhere it is told, with the status asked for', async () => {
    const response = await fetch(host.redirectUrl(1, 'http://169.254.169.254/latest/meta-data/', 307), {
      redirect: 'manual',
    });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
    expect((await fetch(`${host.url}/redirect/0?to=/x`, { redirect: 'manual' })).status).toBe(400);
  });
});

describe('slow answers', () => {
  it('waits delayMs before the headers, then answers the file', async () => {
    const pending = fetch(host.fileUrl(10, 'a.jpg', { delayMs: 30 }));
    const response = await pending;
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(10);
  });

  it('never answers with stall=1 (the client gives up)', async () => {
    await expect(
      fetch(host.fileUrl(10, 'a.jpg', { stall: 1 }), { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
  });

  it('sends the headers and stallAfter bytes, then nothing more', async () => {
    const controller = new AbortController();
    const response = await fetch(host.fileUrl(100_000, 'a.jpg', { stallAfter: 1000 }), {
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 1000) received += (await reader.read()).value?.length ?? 0;
    expect(received).toBe(1000);
    const next = reader.read();
    controller.abort();
    await expect(next).rejects.toThrow();
  });

  it('trickles the body in small pieces, all of it arriving', async () => {
    const response = await fetch(host.fileUrl(4000, 'a.jpg', { trickleBytes: 1000, trickleMs: 1 }));
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256Of('a.jpg', 4000));
  });
});

describe('backpressure', () => {
  it('waits for a slow reader without piling up listeners on the answer', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const response = await fetch(host.fileUrl('8m', 'slow.jpg'));
      const reader = response.body!.getReader();
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
        // A reader slower than the host: the host's writes fill the socket and wait for 'drain'.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(received).toBe(8 * 1024 * 1024);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
