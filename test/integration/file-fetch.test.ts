import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { generatedFile, type RunningFileHost, startFileHost } from '../../dev/file-host/server';
import {
  FileRefusedError,
  FileUnavailableError,
  isFileFetchError,
  type FileFetchError,
} from '../../src/lib/files/errors';
import { type FileFetchOptions, openFileFromUrl } from '../../src/lib/files/open-file';
import { LOOPBACK_PORTAL_SWITCH } from '../../src/lib/portal-url';

// The file fetch against the loopback file host (dev/file-host/server.ts). Host names go through a
// stubbed resolver, never DNS: `files.example.test` is the file host itself (loopback, allowed while
// the development switch is on, as in every test), the others resolve to private networks or never
// answer. The host counts the requests it receives: a refused URL must reach it not at all.

const RESOLVES: Record<string, string> = {
  'files.example.test': '127.0.0.1',
  'intranet.example.test': '10.0.0.7',
  'metadata.example.test': '169.254.169.254',
  'mapped.example.test': '::ffff:192.168.1.10',
};

/** A resolver that knows RESOLVES, fails other names as DNS does, and never answers `hang.example.test`. */
const stubbedLookup = ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
  if (hostname === 'hang.example.test') return;
  const address = RESOLVES[hostname];
  if (address === undefined) {
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return;
  }
  const entry: LookupAddress = { address, family: address.includes(':') ? 6 : 4 };
  if (options.all === true) callback(null, [entry]);
  else callback(null, entry.address, entry.family);
}) as unknown as LookupFunction;

const MB = 1024 * 1024;
let host: RunningFileHost;
/** The file host's port, for URLs that name it by host name. */
let port = '';

beforeAll(async () => {
  host = await startFileHost();
  port = new URL(host.url).port;
});
afterAll(async () => {
  await host.stop();
});
beforeEach(() => host.clearRequests());
afterEach(() => vi.unstubAllEnvs());

function fetchOptions(overrides: Partial<FileFetchOptions> = {}): FileFetchOptions {
  return {
    maxBytes: 4 * MB,
    lookup: stubbedLookup,
    readTimeoutMs: 5_000,
    connectTimeoutMs: 5_000,
    ...overrides,
  };
}

function open(url: string, overrides: Partial<FileFetchOptions> = {}) {
  return openFileFromUrl({ field: 'image_url', url }, fetchOptions(overrides));
}

async function failure(promise: Promise<unknown>): Promise<FileFetchError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isFileFetchError(outcome)) throw new Error(`expected a FileFetchError, got ${String(outcome)}`);
  return outcome;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function sha256Of(name: string, size: number): string {
  const hash = createHash('sha256');
  for (const block of generatedFile(name, size)) hash.update(block);
  return hash.digest('hex');
}

/** The file host by name: `http://files.example.test:<port>`. */
const named = (pathAndQuery: string): string => `http://files.example.test:${port}${pathAndQuery}`;
const filePath = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

describe('a file the app may upload', () => {
  it('streams the whole file, byte for byte, through a redirect, with its name, size and type', async () => {
    const size = 3 * MB + 5;
    const target = host.fileUrl(size, 'shoe.jpg');
    const file = await open(host.redirectUrl(2, named(filePath(target))));
    expect(file).toMatchObject({ fileName: 'shoe.jpg', size, contentType: 'image/jpeg' });
    expect(await readAll(file.body)).toEqual({ bytes: size, sha256: sha256Of('shoe.jpg', size) });
    expect(host.requests()).toHaveLength(3);
  });

  it('yields the first chunks before the whole file has arrived', async () => {
    // The host sends the headers and 256 KiB of a 2 MiB file, then nothing: whatever the body
    // yields came before the rest of the file existed anywhere.
    const file = await open(host.fileUrl(2 * MB, 'tall.png', { stallAfter: 256 * 1024 }), {
      readTimeoutMs: 300,
    });
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const chunk of file.body) received += chunk.length;
      })(),
    );
    expect(received).toBe(256 * 1024);
    expect(error).toBeInstanceOf(FileUnavailableError);
    expect(error.problem).toBe('read_timeout');
  });

  it('sends no Authorization and no Cookie, even when a redirect sets one', async () => {
    const target = host.fileUrl(1000, 'a.jpg');
    const file = await open(host.redirectUrl(3, filePath(target), 302, { cookie: true }));
    await readAll(file.body);
    const seen = host.requests();
    expect(seen).toHaveLength(4);
    for (const request of seen) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
      expect(Object.keys(request.headers).sort()).toEqual([
        'accept',
        'accept-encoding',
        'connection',
        'host',
        'user-agent',
      ]);
    }
  });
});

describe('where the app does not connect', () => {
  it.each([
    ['a name resolving to a private network', `http://intranet.example.test:${port}/files/10/a.jpg`],
    ['a name resolving to the cloud metadata address', 'https://metadata.example.test/latest/a.jpg'],
    ['a name resolving to an IPv4-mapped private address', 'https://mapped.example.test/a.jpg'],
  ])('refuses %s, at connect time', async (_, url) => {
    const error = await failure(open(url.replace(':/files', `:${port}/files`)));
    expect(error).toBeInstanceOf(FileRefusedError);
    expect(error.problem).toBe('private_address');
    expect(error.message).toMatch(/resolves to this machine or a private network/);
    expect(error.message).toMatch(/field "image_url"/);
    expect(host.requests()).toHaveLength(0);
  });

  it.each([
    'http://10.0.0.7/a.jpg',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:a9fe:a9fe]/x.png',
  ])('refuses the private address literal %s before any connection', async (url) => {
    const error = await failure(open(url));
    expect(error.problem).toBe('private_address');
    expect(error.retryable).toBe(false);
  });

  it.each([
    ['a private name', `http://intranet.example.test:PORT/files/10/a.jpg`],
    ['a private address literal', 'http://169.254.169.254/latest/meta-data/iam'],
  ])('refuses a redirect to %s', async (_, target) => {
    const error = await failure(open(host.redirectUrl(1, target.replace('PORT', port))));
    expect(error).toBeInstanceOf(FileRefusedError);
    expect(error.problem).toBe('private_address');
    // The redirect was asked for; the private target never was (it is not the file host).
    expect(host.requests().map((r) => r.url.split('?')[0])).toEqual(['/redirect/1']);
  });

  it('refuses a redirect to something that is not a web address, naming it', async () => {
    const error = await failure(open(host.redirectUrl(1, 'http://[not-an-address/a.jpg?key=s3cret')));
    expect(error).toBeInstanceOf(FileRefusedError);
    expect(error.problem).toBe('invalid_url');
    expect(error.message).toMatch(
      /redirects to http:\/\/\[not-an-address\/a\.jpg, which is not a web address/,
    );
  });

  it('follows 5 redirects and refuses a sixth', async () => {
    const target = host.fileUrl(100, 'a.jpg');
    const five = await open(host.redirectUrl(5, target));
    await readAll(five.body);
    host.clearRequests();
    const error = await failure(open(host.redirectUrl(6, target)));
    expect(error.problem).toBe('too_many_redirects');
    expect(error.message).toMatch(/redirects more than 5 times/);
    expect(host.requests()).toHaveLength(6); // the chain's first six hops; the file never asked for
  });

  it('refuses plain http without the development switch, before any request', async () => {
    vi.stubEnv(LOOPBACK_PORTAL_SWITCH, '0');
    const error = await failure(open(host.fileUrl(100, 'a.jpg')));
    expect(error.problem).toBe('scheme');
    expect(error.message).toMatch(/uses http; files are fetched over https only/);
    expect(host.requests()).toHaveLength(0);
  });

  it('refuses a redirect to a public host over plain http, even with the switch', async () => {
    // With the switch on, plain http reaches this machine only: a public http target is refused.
    const error = await failure(open(host.redirectUrl(1, 'http://8.8.8.8/a.jpg')));
    expect(error.problem).toBe('private_address');
  });

  it('refuses a URL carrying credentials, and says why without repeating them', async () => {
    const url = host.fileUrl(100, 'a.jpg').replace('http://', 'http://cdn-user:Pa55-w0rd-x@');
    const error = await failure(open(url));
    expect(error.problem).toBe('credentials_in_url');
    expect(error.message).toMatch(/carries a user name or password/);
    expect(error.message).not.toMatch(/cdn-user|Pa55-w0rd-x/);
    expect(host.requests()).toHaveLength(0);
    const redirected = await failure(open(host.redirectUrl(1, url)));
    expect(redirected.problem).toBe('credentials_in_url');
    expect(redirected.message).not.toMatch(/Pa55-w0rd-x/);
  });

  it('names the field, the URL without its query values, the problem and the fix', async () => {
    const error = await failure(open(`${host.fileUrl(100, 'setup.exe')}?X-Amz-Signature=s3cr3t-sig-value`));
    expect(error.message).toBe(
      `The file at ${host.url}/files/100/setup.exe?X-Amz-Signature=[REDACTED] (field "image_url") is a .exe file, a program or script type the app never uploads. Point the field at an image, video or document instead; the app refuses programs and scripts before anything is uploaded`,
    );
  });

  it('times out a host name that never resolves (connect timeout)', async () => {
    const error = await failure(open('https://hang.example.test/a.jpg', { connectTimeoutMs: 50 }));
    expect(error).toBeInstanceOf(FileUnavailableError);
    expect(error.problem).toBe('connect_timeout');
    expect(error.message).toMatch(/hang\.example\.test did not accept a connection within 50 ms/);
    expect(error.message).toMatch(/outbound domains/);
  });
});

describe('what the app does not upload', () => {
  it('refuses a file declared larger than the limit before reading it', async () => {
    const error = await failure(open(host.fileUrl('1g', 'huge.jpg'), { maxBytes: MB }));
    expect(error).toBeInstanceOf(FileRefusedError);
    expect(error.problem).toBe('too_large');
    expect(error.message).toMatch(/is 1,073,741,824 bytes, more than the 1,048,576 bytes the app uploads/);
    expect(error.message).toMatch(/Largest file to upload/);
  });

  it('stops a file without Content-Length that grows past the limit', async () => {
    const file = await open(host.fileUrl(3 * MB, 'endless.jpg', { chunked: 1 }), { maxBytes: MB });
    expect(file.size).toBeUndefined();
    let received = 0;
    const error = await failure(
      (async () => {
        for await (const chunk of file.body) received += chunk.length;
      })(),
    );
    expect(error.problem).toBe('too_large');
    expect(error.message).toMatch(/grew past the 1,048,576 bytes the app uploads while it was read/);
    expect(received).toBeLessThanOrEqual(MB);
  });

  it('takes a file of exactly the limit', async () => {
    const file = await open(host.fileUrl(MB, 'exact.jpg', { chunked: 1 }), { maxBytes: MB });
    expect((await readAll(file.body)).bytes).toBe(MB);
  });

  it.each([
    'setup.exe',
    'install.msi',
    'run.bat',
    'deploy.sh',
    'x.ps1',
    'app.js',
    'lib.dll',
    'photo.jpg.exe',
  ])('refuses %s by its extension before any request', async (name) => {
    const error = await failure(open(host.fileUrl(100, name)));
    expect(error.problem).toBe('denied_type');
    expect(host.requests()).toHaveLength(0);
  });

  it.each(['application/x-msdownload', 'application/x-sh', 'text/javascript; charset=utf-8'])(
    'refuses a file served as %s',
    async (type) => {
      const error = await failure(open(host.fileUrl(100, 'innocent.jpg', { type })));
      expect(error.problem).toBe('denied_type');
      expect(error.message).toMatch(/is served as [a-z/-]+, a program or script type/);
    },
  );

  it('refuses a redirect to an executable', async () => {
    const error = await failure(open(host.redirectUrl(1, host.fileUrl(100, 'setup.exe'))));
    expect(error.problem).toBe('denied_type');
    expect(error.message).toMatch(/redirects to .*setup\.exe, which is a \.exe file/);
  });

  it.each([
    ['exe', /a Windows program/],
    ['sh', /a script/],
  ])('refuses a program named as an image by its first bytes (%s)', async (signature, what) => {
    const error = await failure(open(host.fileUrl(5000, 'photo.jpg', { signature })));
    expect(error.problem).toBe('denied_type');
    expect(error.message).toMatch(what);
  });

  it('refuses an empty file', async () => {
    const error = await failure(open(host.fileUrl(0, 'nothing.jpg')));
    expect(error.problem).toBe('empty');
  });
});

describe('a slow or failing file host', () => {
  it('gives up on a host that never answers after the read timeout', async () => {
    const error = await failure(open(host.fileUrl(100, 'a.jpg', { stall: 1 }), { readTimeoutMs: 50 }));
    expect(error).toBeInstanceOf(FileUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.pendingCause).toBe('file host unavailable');
    expect(error.message).toMatch(/stalled: 127\.0\.0\.1:\d+ sent nothing for 50 ms/);
  });

  it.each([
    [404, FileRefusedError, 'not_found'],
    [403, FileRefusedError, 'access_denied'],
    [503, FileUnavailableError, 'http_status'],
    [429, FileUnavailableError, 'http_status'],
  ] as const)('answers %i as %o (%s)', async (status, kind, problem) => {
    const error = await failure(open(host.fileUrl(100, 'a.jpg', { status })));
    expect(error).toBeInstanceOf(kind);
    expect(error.problem).toBe(problem);
  });

  it("stops at the caller's signal, before the answer or while reading, and keeps the record pending", async () => {
    const before = new AbortController();
    before.abort();
    const early = await failure(open(host.fileUrl(100, 'a.jpg'), { signal: before.signal }));
    expect(early).toBeInstanceOf(FileUnavailableError);
    expect(early.problem).toBe('interrupted');

    const during = new AbortController();
    const file = await open(host.fileUrl(MB, 'a.jpg', { stallAfter: 64 * 1024 }), { signal: during.signal });
    const error = await failure(
      (async () => {
        for await (const chunk of file.body) if (chunk.length > 0) during.abort();
      })(),
    );
    expect(error.problem).toBe('interrupted');
    expect(error.message).toMatch(/ran out of time/);
  });

  it('stops reading and closes the connection when the reader stops early', async () => {
    const file = await open(host.fileUrl(8 * MB, 'big.jpg'), { maxBytes: 16 * MB });
    for await (const chunk of file.body) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    // Nothing left to read: iterating again ends at once.
    expect((await readAll(file.body)).bytes).toBe(0);
  });

  it('closes the connection of a file dropped before its first read', async () => {
    const file = await open(host.fileUrl(8 * MB, 'big.jpg'), { maxBytes: 16 * MB });
    expect(await host.openConnections()).toBeGreaterThanOrEqual(1);
    await file.body[Symbol.asyncIterator]().return?.();
    // The close reaches the host a moment later: wait for it, without a fixed sleep.
    await vi.waitFor(async () => expect(await host.openConnections()).toBe(0));
  });
});

// Over https: a throwaway self-signed certificate for 127.0.0.1, made with openssl when the tests
// start (no key is kept in the repository). Without openssl these are skipped, with the reason.
describe('over https', () => {
  let secureHost: RunningFileHost | undefined;
  let skipReason = '';
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'file-fetch-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
          '-addext', 'subjectAltName=IP:127.0.0.1',
          '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
        ], // prettier-ignore
        { stdio: 'ignore' },
      );
      const tls = {
        key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
        cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      };
      secureHost = await startFileHost({ tls });
    } catch (error) {
      skipReason = `https tests skipped: no self-signed certificate could be made with openssl (${String(error)})`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await secureHost?.stop();
  });

  function secure(context: { skip: (condition: boolean, note: string) => void }): RunningFileHost {
    context.skip(secureHost === undefined, skipReason);
    return secureHost as RunningFileHost;
  }

  it('refuses a host whose certificate does not verify', async (context) => {
    const tlsHost = secure(context);
    const error = await failure(open(tlsHost.fileUrl(100, 'a.jpg')));
    expect(error).toBeInstanceOf(FileRefusedError);
    expect(error.problem).toBe('tls');
    expect(error.message).toMatch(/could not be fetched securely from 127\.0\.0\.1:\d+ \(TLS: [A-Z_]+\)/);
  });

  describe('with certificate checks off (as a self-signed local host needs)', () => {
    beforeEach(() => {
      vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    });

    it('streams a file', async (context) => {
      const tlsHost = secure(context);
      const file = await open(tlsHost.fileUrl(MB + 3, 'shoe.png'));
      expect(await readAll(file.body)).toEqual({ bytes: MB + 3, sha256: sha256Of('shoe.png', MB + 3) });
    });

    it('times a stall from the TLS handshake on, as a read timeout, not a connect timeout', async (context) => {
      const tlsHost = secure(context);
      const error = await failure(
        open(tlsHost.fileUrl(100, 'a.jpg', { stall: 1 }), { readTimeoutMs: 50, connectTimeoutMs: 5_000 }),
      );
      expect(error.problem).toBe('read_timeout');
    });
  });
});
