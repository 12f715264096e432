import { storage } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LocalOcp, startLocalOcp } from '../../dev/cli/sync/workers/local-ocp';
import { type ScaledClock, scaledClock } from '../../dev/cli/sync/workers/scaled-clock';
import { type RunningFileHost, startFileHost } from '../../dev/file-host/server';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { sdkDeps } from '../../src/destinations/sdk-deps';
import { continueCreations } from '../../src/lib/delivery/creation-job';
import { readRateLimitBlock } from '../../src/lib/pacing/rate-limit-block';
import { seededRandom } from '../helpers/chaos-records';
import { BRAND, FILE_SOURCE, UPLOAD_STEP_ROUTES } from '../helpers/creation-portal';
import { portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Creation under chaos with four real worker processes, as OCP runs a sync: overlapping batches of
// the same keys (each key in two batches) all handed to the pool at once and re-delivered (attempt +
// 1) until they succeed, while the emulator fails every upload step with 5xx (some after doing the
// work, their answer lost), stalls and resets, one 429 stores a rate-limit block, and one worker is
// killed in the middle of its uploads. The creation job runs between rounds, as its trigger would.
// Every key must end with exactly one asset holding the record's values, then, after a second pass
// with changed files, exactly one new version per changed file; each creation and version counted
// once. Small on purpose (10 keys, 100 KB files): the workers' start is most of its CPU.

const KEYS = Array.from({ length: 10 }, (_, i) => `PCHAOS-${i + 1}`);
const WORKERS = 4;
const BATCH_SIZE = 5;
const ROUNDS = 12;
/** The workers' clocks run this much faster than real time; rounds jump them past held claims. */
const SPEED = 5;
const FAULT_SEED = 20_261_207;

const emulator = useEmulator({
  tokens: [{ token: TOKEN }],
  rateLimit: false,
  conversionDelayMs: 200,
  random: seededRandom(FAULT_SEED),
});

let files: RunningFileHost;
let ocp: LocalOcp | undefined;
let clock: ScaledClock;

/** Faults on every upload step: 5xx before and after the work, stalls and resets; S3 too. */
function addFaults(): void {
  for (const match of UPLOAD_STEP_ROUTES) {
    emulator.faults.add({ match, status: 503, rate: 0.1, host: 'bynder' });
    emulator.faults.add({ match, status: 502, rate: 0.08, host: 'bynder', afterHandling: true });
    emulator.faults.add({ match, reset: true, rate: 0.04, host: 'bynder' });
    emulator.faults.add({ match, stall: true, stallMs: 300, rate: 0.04, host: 'bynder' });
  }
  // The first two saves of each kind do their work and lose the answer, whatever the dice say.
  for (const match of ['POST /api/v4/media/save/:importId/', 'POST /api/v4/media/:id/save/:importId/']) {
    emulator.faults.add({ match, status: 502, times: 2, host: 'bynder', afterHandling: true });
  }
  emulator.faults.add({ match: 'POST /', host: 's3', status: 503, rate: 0.08 });
  emulator.faults.add({ match: 'POST /', host: 's3', reset: true, rate: 0.03 });
}

const record = (key: string, version: string) => ({
  external_id: key,
  name: `Chaos ${key}`,
  campaign: 'summer',
  file_url: files.fileUrl('100k', 'chaos.jpg', { delayMs: 100 }),
  file_version: version,
});

/** Jumps every clock (this process's and the workers') on by `ms` of app time. */
async function jump(ms: number): Promise<void> {
  const total = clock.jumped + ms;
  clock.setJumped(total);
  await ocp?.pool.jumpClock(total);
}

interface Round {
  /** Created and versioned as the batch lines and the creation job's runs counted them. */
  created: number;
  versioned: number;
  retries: number;
  blocked: boolean;
  killed: boolean;
  pending: string[];
}

/**
 * Two overlapping batch sets (every key in two batches), delivered by the pool until each answers
 * success; between rounds the creation job runs and the clocks jump 3 minutes (dead claims lapse).
 */
async function chaosRound(version: string, chaos: { kill: boolean; block: boolean }): Promise<Round> {
  const pool = ocp!.pool; // set in beforeAll
  const orders = [KEYS, [...KEYS].reverse()];
  const batches = orders.flatMap((order, set) =>
    Array.from({ length: order.length / BATCH_SIZE }, (_, n) => ({
      id: `v${version}-${set}-${n}`,
      keys: order.slice(n * BATCH_SIZE, n * BATCH_SIZE + BATCH_SIZE),
      attempt: 1,
    })),
  );
  const round: Round = { created: 0, versioned: 0, retries: 0, blocked: false, killed: false, pending: [] };
  if (chaos.block) emulator.faults.add({ match: 'POST /api/upload/init/', status: 429, times: 1 });
  let killer: NodeJS.Timeout | undefined;
  if (chaos.kill) {
    // Killed mid-upload: once the file host has served files to the workers, a busy one goes.
    killer = setInterval(() => {
      if (!round.killed && files.requests().length >= 3) round.killed = pool.killBusyWorker();
      if (round.killed) clearInterval(killer);
    }, 10);
  }
  let left = batches;
  for (let n = 0; n < ROUNDS && left.length > 0; n += 1) {
    const answers = await Promise.all(
      left.map(async (batch) => {
        const delivery = await pool.deliverReporting({
          items: batch.keys.map((key) => record(key, version)),
          attempt: batch.attempt,
          sync: { id: batch.id, name: 'Chaos creation' },
        });
        round.created += delivery.counts.created;
        round.versioned += delivery.counts.versioned;
        return { batch, result: delivery.result };
      }),
    );
    clearInterval(killer);
    left = [];
    for (const { batch, result } of answers) {
      if (result.success) continue;
      expect({ retryable: result.retryable, why: result.failureReason }).toMatchObject({ retryable: true });
      left.push({ ...batch, attempt: batch.attempt + 1 });
      round.retries += 1;
    }
    const block = await readRateLimitBlock(storage.kvStore, clock);
    if (block) round.blocked = true;
    const job = await continueCreations(sdkDeps()).catch(() => undefined);
    round.created += job?.created.length ?? 0;
    round.versioned += job?.versioned.length ?? 0;
    await jump(Math.max(3 * 60_000, (block?.blockedUntil ?? 0) - clock.now() + 1));
  }
  emulator.faults.clear();
  round.pending = left.map((batch) => batch.id);
  for (let run = 0; run < 5; run += 1) {
    const job = await continueCreations(sdkDeps());
    round.created += job.created.length;
    round.versioned += job.versioned.length;
    if (job.remaining === 0) break;
    await jump(3 * 60_000);
  }
  await emulator.settle();
  return round;
}

function assetsByKey(): Map<string, Array<Record<string, unknown> & { mediaItems?: unknown[] }>> {
  const byKey = new Map<string, Array<Record<string, unknown> & { mediaItems?: unknown[] }>>();
  for (const asset of emulator.snapshot().assets) {
    const key = asset.property_external_id;
    if (typeof key !== 'string' || !key.startsWith('PCHAOS-')) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), asset]);
  }
  return byKey;
}

let first: Round;
let second: Round;
let statuses: number[] = [];
/** The answers to the saves of new assets in the first pass, and of new versions in the second. */
let saves: number[] = [];
let versionSaves: number[] = [];

beforeAll(async () => {
  files = await startFileHost();
  const seed = portalSeed({ assets: 1 });
  seed.metaproperties.file_source = { id: FILE_SOURCE, name: 'file_source', type: 'text', zindex: 5 };
  emulator.seed(seed);
  const clockSpec = { origin: Date.now(), speed: SPEED };
  clock = scaledClock(clockSpec);
  ocp = startLocalOcp(WORKERS, { clock: clockSpec, output: 'ignore' });
  BynderAssetSync.clockOverride = clock; // the creation job, run here, on the workers' time
  await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: TOKEN });
  await storage.settings.put('records', {
    primary_key: 'external_key',
    external_key_metaproperty: 'external_id',
    delete_policy: 'archive',
    empty_values: 'leave',
    unknown_options: 'reject',
    missing_assets: 'create',
    brand_id: BRAND,
    file_fingerprint_metaproperty: 'file_source',
  });
  await storage.settings.put('throughput', { requests_per_second: '15', max_in_flight: '5' });

  addFaults();
  first = await chaosRound('1', { kill: true, block: true });
  statuses = emulator.requests().map((request) => request.status);
  saves = emulator.requests('POST /api/v4/media/save/:importId/').map((request) => request.status);
  emulator.clearRequests();
  await jump(10 * 60_000); // past the window in which a just-written asset is always written
  addFaults();
  second = await chaosRound('2', { kill: false, block: false });
  versionSaves = emulator.requests('POST /api/v4/media/:id/save/:importId/').map((r) => r.status);
}, 120_000);

afterAll(async () => {
  BynderAssetSync.clockOverride = undefined;
  await ocp?.close();
  await files.stop();
});

describe(`creation under chaos with ${WORKERS} worker processes`, () => {
  it('met 5xx, stalls or resets, a 429 block, a killed worker and re-delivered batches', () => {
    console.log(
      JSON.stringify({
        first,
        second,
        s: Object.entries(
          statuses.reduce<Record<number, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {}),
        ),
        saves,
        versionSaves,
      }),
    );
    expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0); // stalls and resets
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(first.blocked).toBe(true);
    expect(first.killed).toBe(true);
    expect(ocp?.pool.replaced).toBe(1);
    expect(first.retries).toBeGreaterThan(2);
    expect([first.pending, second.pending]).toEqual([[], []]);
    // Saves whose answer was lost (the asset or version made all the same) were among them.
    expect(saves.filter((s) => s === 502).length).toBeGreaterThanOrEqual(2);
    expect(versionSaves.filter((s) => s === 502).length).toBeGreaterThanOrEqual(2);
  });

  it('made exactly one asset per key, holding the record’s values, then one new version per changed file', () => {
    const assets = assetsByKey();
    expect(KEYS.filter((key) => assets.get(key)?.length !== 1)).toEqual([]);
    for (const key of KEYS) {
      expect(assets.get(key)?.[0]).toMatchObject({
        name: `Chaos ${key}`,
        brandId: BRAND,
        property_campaign: ['summer'],
      });
    }
    expect(KEYS.filter((key) => assets.get(key)?.[0]?.mediaItems?.length !== 2)).toEqual([]);
  });

  it('counted each creation and each new version once', () => {
    expect(first.created).toBe(KEYS.length);
    expect(second.versioned).toBe(KEYS.length);
    expect(second.created).toBe(0);
  });
});
