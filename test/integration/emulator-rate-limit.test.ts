import { beforeEach, describe, expect, it } from 'vitest';

import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Facts 4.1: sliding window per client IP, 429 without Retry-After, block lifted only after a
// quiet period; requests during the block extend it. A fake clock drives time (no waiting).
const clock = {
  ms: Date.UTC(2025, 0, 1),
  now(): number {
    return this.ms;
  },
};
const emulator = useEmulator({ clock, rateLimit: { limit: 3, windowMs: 1_000, quietMs: 5_000 } });

const get = (client: string) =>
  callEmulator(emulator, 'GET', '/api/v4/media/', { headers: { 'X-Emulator-Client': client } });

async function statuses(client: string, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await get(client)).status);
  return result;
}

beforeEach(() => {
  emulator.configure({ rateLimit: { limit: 3, windowMs: 1_000, quietMs: 5_000 } });
});

describe('emulator rate limit', () => {
  it('answers 429 past the limit, with no Retry-After and no rate-limit headers', async () => {
    expect(await statuses('a', 4)).toEqual([200, 200, 200, 429]);
    const blocked = await get('a');
    expect(blocked.status).toBe(429);
    const headerNames = [...blocked.headers.keys()];
    expect(headerNames).not.toContain('retry-after');
    expect(headerNames.filter((name) => name.includes('ratelimit'))).toEqual([]);
  });

  it('counts per client: another client is not blocked', async () => {
    expect(await statuses('b', 4)).toEqual([200, 200, 200, 429]);
    expect(await statuses('c', 1)).toEqual([200]);
  });

  it('slides the window: old requests stop counting', async () => {
    expect(await statuses('d', 3)).toEqual([200, 200, 200]);
    clock.ms += 1_001;
    expect(await statuses('d', 3)).toEqual([200, 200, 200]);
  });

  it('keeps blocking while requests keep coming during the block, lifts it after a quiet period', async () => {
    expect(await statuses('e', 4)).toEqual([200, 200, 200, 429]);
    for (let i = 0; i < 5; i += 1) {
      clock.ms += 4_000; // each request inside the quiet period restarts it
      expect((await get('e')).status).toBe(429);
    }
    clock.ms += 5_000;
    expect((await get('e')).status).toBe(200);
  });

  it('can be switched off at runtime', async () => {
    emulator.configure({ rateLimit: false });
    expect((await statuses('f', 10)).every((status) => status === 200)).toBe(true);
  });

  it('logs 429s with the client name', () => {
    const blocked = emulator.requests().filter((entry) => entry.status === 429);
    expect(blocked.length).toBeGreaterThan(0);
    expect(new Set(blocked.map((entry) => entry.client))).toContain('a');
  });
});
