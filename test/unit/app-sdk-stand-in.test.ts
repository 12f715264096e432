import {
  AuthorizationGrantResult,
  type KVHash,
  LifecycleSettingsResult,
  logger,
  LogLevel,
  notifications,
  resetLocalStores,
  setLogLevel,
  storage,
} from '@zaiusinc/app-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The SDK semantics the app relies on. Only public API, so this passes against the real SDK too.

afterEach(() => {
  resetLocalStores();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('storage.settings / storage.secrets', () => {
  it('patch merges fields and returns the object from before', async () => {
    await storage.settings.put('connection', { portal: 'a.bynder.com', auth_method: 'permanent_token' });
    const previous = await storage.settings.patch('connection', { portal: 'b.bynder.com' });
    expect(previous).toEqual({ portal: 'a.bynder.com', auth_method: 'permanent_token' });
    expect(await storage.settings.get('connection')).toEqual({
      portal: 'b.bynder.com',
      auth_method: 'permanent_token',
    });
  });

  it('patch with an updater sees the stored object; a missing row reads as {}', async () => {
    expect(await storage.secrets.get('connection')).toEqual({});
    expect(await storage.secrets.patch('connection', (previous) => ({ ...previous, token: 't1' }))).toEqual(
      {},
    );
    await storage.secrets.patch('connection', (previous) => ({ ...previous, client_id: 'c' }));
    expect(await storage.secrets.get('connection')).toEqual({ token: 't1', client_id: 'c' });
  });

  it('deletes single fields or the whole row, and exists follows', async () => {
    await storage.secrets.put('connection', { token: 't', client_id: 'c', client_secret: 's' });
    await storage.secrets.delete('connection', ['client_id', 'client_secret']);
    expect(await storage.secrets.get('connection')).toEqual({ token: 't' });
    await storage.secrets.delete('connection');
    expect(await storage.secrets.exists('connection')).toBe(false);
  });

  it('keeps stored values apart from the objects callers hold', async () => {
    const value = { tags: ['a'] };
    await storage.settings.put('records', value);
    value.tags.push('b');
    const read = await storage.settings.get<{ tags: string[] }>('records');
    read.tags.push('c');
    expect(await storage.settings.get('records')).toEqual({ tags: ['a'] });
  });

  it('resetLocalStores empties every store', async () => {
    await storage.settings.put('a', { x: 1 });
    await storage.kvStore.put('b', { y: 2 });
    await storage.sharedKvStore.put('c', { z: 3 });
    resetLocalStores();
    expect([
      await storage.settings.exists('a'),
      await storage.kvStore.exists('b'),
      await storage.sharedKvStore.exists('c'),
    ]).toEqual([false, false, false]);
  });
});

describe('storage.kvStore', () => {
  it('put and patch return the previous value', async () => {
    expect(await storage.kvStore.put('ledger', { a: 1 })).toEqual({});
    expect(await storage.kvStore.put('ledger', { b: 2 })).toEqual({ a: 1 });
    expect(await storage.kvStore.patch('ledger', { c: 3 })).toEqual({ b: 2 });
    expect(await storage.kvStore.get('ledger')).toEqual({ b: 2, c: 3 });
  });

  it('reads only the requested fields', async () => {
    await storage.kvStore.put('model', { fields: 3, fetchedAt: 10, etag: 'x' });
    expect(await storage.kvStore.get('model', ['fields', 'etag'])).toEqual({ fields: 3, etag: 'x' });
  });

  it('expires a row once its TTL (seconds) has passed, and not before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    await storage.kvStore.put('blocked', { until: 1 }, { ttl: 60 });
    vi.setSystemTime(new Date('2026-01-01T00:00:59.000Z'));
    expect(await storage.kvStore.get('blocked')).toEqual({ until: 1 });
    vi.setSystemTime(new Date('2026-01-01T00:01:01.000Z'));
    expect(await storage.kvStore.get('blocked')).toEqual({});
    expect(await storage.kvStore.exists('blocked')).toBe(false);
  });

  it('patch with a TTL sets the expiry of the row', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    await storage.kvStore.patch('cache', { v: 1 }, { ttl: 10 });
    vi.setSystemTime(new Date('2026-01-01T00:00:11.000Z'));
    expect(await storage.kvStore.exists('cache')).toBe(false);
  });

  it('an empty field list reads the whole row', async () => {
    await storage.kvStore.put('model', { fields: 3, etag: 'x' });
    expect(await storage.kvStore.get('model', [])).toEqual({ fields: 3, etag: 'x' });
  });

  it('increment starts a missing field at the amount and adds to it after', async () => {
    await storage.kvStore.increment('counters', 'requests', 2);
    await storage.kvStore.increment('counters', 'requests');
    await storage.kvStore.incrementMulti('counters', { requests: 1, errors: 1 });
    expect(await storage.kvStore.get('counters')).toEqual({ requests: 4, errors: 1 });
  });

  it("the local store's increment answers are not the counts: read the row instead", async () => {
    // The SDK's local store answers undefined for every field (the platform's store answers the
    // counts); code that used the answer would work on OCP and break in every local run.
    await storage.kvStore.put('counters', { requests: 1 });
    expect(await storage.kvStore.increment('counters', 'requests')).toBeUndefined();
    expect(await storage.kvStore.incrementMulti('counters', { requests: 1, errors: 1 })).toEqual({
      requests: undefined,
      errors: undefined,
    });
    expect(await storage.kvStore.get('counters')).toEqual({ requests: 3, errors: 1 });
  });

  it('concurrent patches with updaters of an existing row lose no update', async () => {
    await storage.kvStore.put('applied', { item0: true });
    await Promise.all(
      [1, 2, 3].map((n) =>
        storage.kvStore.patch('applied', (previous: KVHash) => ({ ...previous, [`item${n}`]: true })),
      ),
    );
    expect(await storage.kvStore.get('applied')).toEqual({
      item0: true,
      item1: true,
      item2: true,
      item3: true,
    });
  });

  it('concurrent first writes of a missing row can lose updates on the local store', async () => {
    // The SDK's local store creates a missing row without a CAS check, so a writer that also read
    // "missing" overwrites it. Code that creates a row from several invocations at once must create
    // it atomically first (e.g. with increment) and patch it after.
    await Promise.all(
      [1, 2].map((n) =>
        storage.kvStore.patch('applied', (previous: KVHash) => ({ ...previous, [`item${n}`]: true })),
      ),
    );
    expect(await storage.kvStore.get('applied')).toEqual({ item2: true });
  });

  it('a row created atomically first takes concurrent patches without losing one', async () => {
    await Promise.all(
      [1, 2, 3].map(async (n) => {
        await storage.kvStore.increment('applied', 'writers');
        await storage.kvStore.patch('applied', (previous: KVHash) => ({ ...previous, [`item${n}`]: true }));
      }),
    );
    expect(await storage.kvStore.get('applied')).toEqual({
      writers: 3,
      item1: true,
      item2: true,
      item3: true,
    });
  });
});

describe('form results', () => {
  it('LifecycleSettingsResult prefixes error keys with the section and keeps toasts and redirect', () => {
    const result = new LifecycleSettingsResult()
      .addError('portal', 'Portal is not a Bynder address')
      .addError('portal', 'second')
      .addToast('danger', 'Could not connect')
      .redirectToSettings('records');
    expect(result.getResponse('connection')).toEqual({
      errors: { 'connection.portal': ['Portal is not a Bynder address', 'second'] },
      toasts: [{ intent: 'danger', message: 'Could not connect' }],
      redirect: 'records',
      redirectMode: 'settings',
    });
  });

  it('the last redirect call wins', () => {
    const response = new LifecycleSettingsResult()
      .redirectToSettings('records')
      .redirect('https://x.test/auth')
      .getResponse('s');
    expect(response).toMatchObject({ redirect: 'https://x.test/auth', redirectMode: 'url' });
  });

  it('AuthorizationGrantResult lands on its section with section-prefixed errors', () => {
    const response = new AuthorizationGrantResult('connection').addError('token', 'rejected').getResponse();
    expect(response).toMatchObject({
      errors: { 'connection.token': ['rejected'] },
      redirect: 'connection',
      redirectMode: 'settings',
    });
  });
});

describe('logger', () => {
  afterEach(() => setLogLevel(LogLevel.NEVER));

  const captureStdout = () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    return lines;
  };

  it('writes one JSON line per call at or above the level, args joined by spaces', () => {
    const lines = captureStdout();
    setLogLevel(LogLevel.Info);
    logger.debug('hidden');
    logger.info('batch', 42, { applied: 3 });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', message: 'batch 42 { applied: 3 }', audience: 'developer' });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
  });

  it('NEVER silences even errors', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = captureStdout();
    setLogLevel(LogLevel.NEVER);
    logger.error('boom');
    logger.warn('careful');
    expect(err).not.toHaveBeenCalled();
    expect(out).toEqual([]);
  });

  it('sends errors to stderr with the stack of the first Error', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    setLogLevel(LogLevel.Error);
    logger.error('failed:', new TypeError('bad value'));
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'error', message: 'failed: TypeError: bad value' });
    expect(entry.stacktrace).toContain('TypeError: bad value');
  });
});

describe('logger: what one call may carry', () => {
  afterEach(() => setLogLevel(LogLevel.NEVER));

  it('summarises only the first Error; a later one is inspected whole, own properties included', () => {
    // Why the app passes at most one Error, and nothing carrying headers, to a log call.
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    setLogLevel(LogLevel.Error);
    const request = Object.assign(new Error('second'), { headers: { Authorization: 'Bearer t0ken' } });
    logger.error('failed:', new Error('first'), request);
    const entry = JSON.parse(lines[0]!) as { message: string; stacktrace: string };
    expect(entry.message.startsWith('failed: Error: first ')).toBe(true);
    expect(entry.message).toContain("Authorization: 'Bearer t0ken'");
    expect(entry.stacktrace).toContain('Error: first');
  });
});

describe('notifications', () => {
  it('sends nothing for a blank activity or summary and logs why', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    await expect(notifications.warn(' ', 'Sync blocked', '')).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledTimes(1);
    const message = String(logged.mock.calls[0]?.[0]);
    expect(message).toContain('Unable to send notification');
    expect(message).toContain('activity cannot be blank');
    expect(message).toContain('summary cannot be blank');
    expect(message).not.toContain('title cannot be blank');
  });
});
