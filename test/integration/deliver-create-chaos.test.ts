import { storage } from '@zaiusinc/app-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { devOverrides, sdkDeps } from '../../src/destinations/sdk-deps';
import { continueCreations } from '../../src/lib/delivery/creation-job';
import { UPLOAD_STEP_ROUTES, useCreationPortal } from '../helpers/creation-portal';
import { deliver } from '../helpers/deliver-fixture';

// Creation under chaos: four workers deliver overlapping batches of the same keys at once, every
// step of the upload fails at random (some after Bynder did the work, their answer lost), one worker
// dies mid-upload (its store writes fail, its claims are left to lapse), and OCP re-delivers what did
// not succeed; the creation job runs between rounds. Every key must end with exactly one asset, and
// after a second pass with changed files, with exactly one new version per changed file. Time moves
// only on the fake clock; randomness is seeded.

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const portal = useCreationPortal({ assets: 1, fingerprint: true, random: seeded(7) });
const { clock, emulator } = portal;
const KEYS = Array.from({ length: 24 }, (_, i) => `CHAOS-${i + 1}`);
const WORKERS = 4;

beforeAll(async () => {
  await portal.reset();
  devOverrides.jobs = { trigger: () => Promise.resolve() };
});
afterAll(() => {
  devOverrides.jobs = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  emulator.faults.clear();
});

/** Faults on every upload step; `afterHandling` ones do the work and lose the answer. */
function addFaults(): void {
  for (const match of UPLOAD_STEP_ROUTES) {
    emulator.faults.add({ match, status: 503, rate: 0.08, host: 'bynder' });
    emulator.faults.add({ match, status: 502, rate: 0.08, host: 'bynder', afterHandling: true });
  }
  emulator.faults.add({ match: 'POST /', host: 's3', status: 503, rate: 0.1 });
}

const record = (key: string, version: string) => ({
  external_id: key,
  name: `Chaos ${key}`,
  file_url: portal.files.fileUrl('100k', 'chaos.jpg'),
  file_version: version,
});

/**
 * Each worker delivers every key, in batches of 6 in its own order, as OCP retries: again until it
 * answers success, at most 12 attempts per batch. The creation job runs between rounds.
 */
async function chaosRound(version: string, killOnce: boolean): Promise<{ retries: number; faulted: number }> {
  let retries = 0;
  const batchesOf = (worker: number) => {
    const order = [...KEYS].sort(
      (a, b) =>
        ((a.length * 31 + worker * 7 + a.charCodeAt(6)) % 5) -
        ((b.length * 31 + worker * 7 + b.charCodeAt(6)) % 5),
    );
    return Array.from({ length: order.length / 6 }, (_, i) => order.slice(i * 6, i * 6 + 6));
  };
  if (killOnce) {
    // One worker dies mid-upload: the creation writes of whoever comes 3rd to 6th fail, so the claims
    // of that invocation are neither moved on nor released.
    const patch = storage.kvStore.patch.bind(storage.kvStore);
    let creationPatches = 0;
    vi.spyOn(storage.kvStore, 'patch').mockImplementation((async (key: string, ...rest: unknown[]) => {
      if (key.startsWith('creation_')) {
        creationPatches += 1;
        if (creationPatches >= 3 && creationPatches <= 6) throw new Error('worker killed');
      }
      return (patch as (...args: unknown[]) => Promise<unknown>)(key, ...rest);
    }) as typeof storage.kvStore.patch);
  }
  const pending = new Map<string, { keys: string[]; attempt: number; sync: string }>();
  for (let worker = 0; worker < WORKERS; worker += 1) {
    batchesOf(worker).forEach((keys, n) =>
      pending.set(`${worker}-${n}`, { keys, attempt: 1, sync: `sync-${version}-${worker}-${n}` }),
    );
  }
  for (let round = 0; round < 12 && pending.size > 0; round += 1) {
    const results = await Promise.all(
      [...pending].map(async ([id, batch]) => {
        const result = await deliver(
          batch.keys.map((key) => record(key, version)),
          { attempt: batch.attempt, syncId: batch.sync },
        );
        return [id, result] as const;
      }),
    );
    vi.restoreAllMocks();
    for (const [id, result] of results) {
      const batch = pending.get(id);
      if (!batch) continue;
      if (result.success) pending.delete(id);
      else {
        expect({ retryable: result.retryable, why: result.failureReason }).toMatchObject({ retryable: true });
        batch.attempt += 1;
        retries += 1;
      }
    }
    await continueCreations(sdkDeps()).catch(() => undefined);
    clock.advance(3 * 60_000); // dead claims lapse; OCP's retry comes later
  }
  emulator.faults.clear();
  // OCP gave up on nothing here: every batch succeeded, or the test says which did not.
  expect([...pending.keys()]).toEqual([]);
  for (let run = 0; run < 5; run += 1) {
    if ((await continueCreations(sdkDeps())).remaining === 0) break;
    clock.advance(3 * 60_000);
  }
  await emulator.settle();
  const faulted = emulator
    .requests()
    .filter((request) => request.status === 502 || request.status === 503).length;
  return { retries, faulted };
}

function assetsByKey(): Map<string, Array<{ mediaItems?: unknown[] }>> {
  const byKey = new Map<string, Array<{ mediaItems?: unknown[] }>>();
  for (const asset of emulator.snapshot().assets) {
    const key = asset.property_external_id;
    if (typeof key !== 'string' || !key.startsWith('CHAOS-')) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), asset as { mediaItems?: unknown[] }]);
  }
  return byKey;
}

describe('creation under chaos at 4 workers', () => {
  it('ends with exactly one asset per key, then exactly one new version per changed file', async () => {
    addFaults();
    emulator.clearRequests();
    const first = await chaosRound('1', true);
    // The chaos was real: faults answered, batches re-delivered.
    expect(first.faulted).toBeGreaterThan(10);
    expect(first.retries).toBeGreaterThan(3);
    const created = assetsByKey();
    expect(KEYS.filter((key) => created.get(key)?.length !== 1)).toEqual([]);
    expect(KEYS.filter((key) => created.get(key)?.[0]?.mediaItems?.length !== 1)).toEqual([]);

    clock.advance(10 * 60_000); // past the window in which a just-written asset is always written
    addFaults();
    emulator.clearRequests();
    const second = await chaosRound('2', false);
    expect(second.faulted).toBeGreaterThan(10);
    const versioned = assetsByKey();
    expect(KEYS.filter((key) => versioned.get(key)?.length !== 1)).toEqual([]);
    expect(KEYS.filter((key) => versioned.get(key)?.[0]?.mediaItems?.length !== 2)).toEqual([]);
  }, 120_000);
});
