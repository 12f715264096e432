import { storage } from '@zaiusinc/app-sdk';
import { beforeAll, describe, expect, it } from 'vitest';

import { changedRecords, buildBenchPortal, EXAMPLE_PORTAL } from '../../dev/bench/bench-portal';
import type { RequestLogEntry } from '../../dev/bynder-emulator/server';
import type { Media } from '../../src/lib/bynder/api-types';
import { readRejectionLog, type RejectionLogEntry } from '../../src/lib/state/rejection-log';
import { buildHostileCorpus, type HostileCase } from '../fixtures/hostile-records';
import { configureApp, deliver, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// The hostile corpus, mixed with valid records, through the real BynderAssetSync.deliver() against the
// emulator: nothing throws, each bad record ends as its case says (rejected with a reason, or handled
// as documented), the valid records beside them are applied, and no request leaves the media route.

const emulator = useEmulator({ seed: EXAMPLE_PORTAL, tokens: [{ token: TOKEN }], rateLimit: false });

const portal = buildBenchPortal(0);
const ids = portal.seed.assets.map((asset) => asset.id);
const corpus = buildHostileCorpus(ids.slice(0, 200));
const valid = changedRecords(portal, ids.length, 'valid').slice(-40);

interface Placed {
  hostile: HostileCase;
  batch: number;
  /** Batch positions (0-based) of the case's items: the rejection log names keyless records `record #n`. */
  positions: number[];
}

// Interleave: a valid record after every second hostile case, the rest at the end, in batches of
// at most OCP's 100 items, so every batch carries a mix.
const BATCH_SIZE = 100;
const batches: unknown[][] = [[]];
const placed: Placed[] = [];
const validLeft = [...valid];
corpus.forEach((hostile, i) => {
  let batch = batches.at(-1) as unknown[];
  if (batch.length + hostile.items.length + 1 > BATCH_SIZE) batches.push((batch = []));
  const positions = hostile.items.map((item) => batch.push(item) - 1);
  placed.push({ hostile, batch: batches.length - 1, positions });
  if (i % 2 === 1 && validLeft.length > 0) batch.push(validLeft.shift());
});
(batches.at(-1) as unknown[]).push(...validLeft.splice(0));

let before = new Map<string, Media>();
let after = new Map<string, Media>();
/** The rejection log entries each batch added. */
const rejectionsByBatch: RejectionLogEntry[][] = [];
/** The requests each batch sent, in the emulator's log order. */
const requestsByBatch: RequestLogEntry[][] = [];
const results: Array<{ success: boolean; retryable?: boolean; failureReason?: string }> = [];
const POLLUTED = 'polluted';

beforeAll(async () => {
  await configureApp(emulator.url, { requests_per_second: 15, max_in_flight: 10 });
  before = new Map(emulator.snapshot().assets.map((asset) => [asset.id, asset]));
  for (const [index, items] of batches.entries()) {
    const logged = (await readRejectionLog(storage.kvStore)).length;
    const sent = emulator.requests().length;
    results.push(await deliver(items, { syncId: `hostile-${index}` }));
    rejectionsByBatch.push((await readRejectionLog(storage.kvStore)).slice(logged));
    // deliver() resolves after its last answer, and the emulator logs a request once answered.
    requestsByBatch.push(emulator.requests().slice(sent));
  }
  await emulator.settle();
  after = new Map(emulator.snapshot().assets.map((asset) => [asset.id, asset]));
}, 60_000);

/** The rejection log entry for a case: by its key, or by its batch position when it has none. */
function rejectionOf({ hostile, batch, positions }: Placed): RejectionLogEntry | undefined {
  const logged = rejectionsByBatch[batch] ?? [];
  if (hostile.key !== undefined) return logged.find((entry) => entry.key === hostile.key);
  return logged.find((entry) => positions.some((p) => entry.subject === `record #${p + 1}`));
}

const MEDIA_WRITE = 'POST /api/v4/media/:id/';
/** The media path a write to `id` goes to: the id as one percent-encoded segment. */
const mediaPathOf = (id: string) => `/api/v4/media/${encodeURIComponent(id)}/`;
/** Every media path a record with a usable key may write to: the keyed cases' and the valid records'. */
const keyedPaths = new Set(
  [
    ...corpus.flatMap((c) => (c.key === undefined ? [] : [c.key])),
    ...valid.map((r) => String(r.asset_id)),
  ].map(mediaPathOf),
);

/** Bynder fields that change on every write, whatever was written. */
const VOLATILE = new Set(['dateModified']);
function withoutVolatile(asset: Media | undefined): Record<string, unknown> | undefined {
  if (!asset) return undefined;
  return Object.fromEntries(Object.entries(asset).filter(([field]) => !VOLATILE.has(field)));
}

describe('hostile input through deliver()', () => {
  it('holds at least 50 bad records, each on its own asset or without a usable key', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    const keys = corpus.flatMap((c) => (c.key === undefined ? [] : [c.key]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('answers every batch without throwing: not retryable, with a bounded reason that counts the rejections', () => {
    expect(results).toHaveLength(batches.length);
    for (const result of results) {
      expect(result.success).toBe(false);
      expect(result.retryable).toBe(false);
      expect(result.failureReason).toMatch(/^\d+ of \d+ records rejected: /);
      expect(result.failureReason!.length).toBeLessThanOrEqual(1_000);
    }
  });

  const named = <K extends HostileCase['expected']['kind']>(kind: K) =>
    corpus
      .filter(
        (hostile): hostile is HostileCase & { expected: Extract<HostileCase['expected'], { kind: K }> } =>
          hostile.expected.kind === kind,
      )
      .map((hostile) => [hostile.name, hostile] as const);
  const placedOf = (hostile: HostileCase): Placed => placed.find((p) => p.hostile === hostile) as Placed;

  const rejected = named('rejected');
  it.each(rejected.filter(([, hostile]) => hostile.key !== undefined))('rejects: %s', (_name, hostile) => {
    expect(rejectionOf(placedOf(hostile))?.reason).toMatch(hostile.expected.reason);
    // Nothing of it reached the asset.
    const key = hostile.key ?? '';
    expect(withoutVolatile(after.get(key))).toEqual(withoutVolatile(before.get(key)));
  });

  it.each(rejected.filter(([, hostile]) => hostile.key === undefined))('rejects: %s', (_name, hostile) => {
    const where = placedOf(hostile);
    // Nothing of a keyless record is sent: every write of its batch went to a keyed record's asset.
    const writes = (requestsByBatch[where.batch] ?? []).filter((r) => r.route === MEDIA_WRITE);
    expect(writes.filter((r) => !keyedPaths.has(r.path)).map((r) => r.path)).toEqual([]);
    expect(rejectionOf(where)?.reason).toMatch(hostile.expected.reason);
  });

  it.each(named('unchanged'))('settles without a change: %s', (_name, hostile) => {
    const key = hostile.key ?? '';
    expect(before.has(key)).toBe(true);
    expect(rejectionOf(placedOf(hostile))).toBeUndefined();
    expect(after.get(key)).toEqual(before.get(key));
  });

  it.each(named('gone'))('settles as done what Bynder does not have: %s', (_name, hostile) => {
    const key = hostile.key ?? '';
    const where = placedOf(hostile);
    expect(before.has(key)).toBe(false);
    // The batch's bulk read did not answer the asset; a read may answer fewer assets than asked, so
    // the archive (archive policy: a POST) was sent, and Bynder's 404 settled it as already gone.
    const sent = (requestsByBatch[where.batch] ?? []).filter((r) => r.path === mediaPathOf(key));
    expect(sent.map((r) => r.status)).toEqual([404]);
    expect(rejectionOf(where)).toBeUndefined();
    expect(after.has(key)).toBe(false);
  });

  it.each(named('applied'))('applies as documented: %s', (_name, hostile) => {
    expect(rejectionOf(placedOf(hostile))).toBeUndefined();
    // The named fields hold the new values; every other field is as it was.
    const fields = hostile.expected.asset;
    const untouched = (asset: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(asset ?? {}).filter(([field]) => !(field in fields)));
    const now = withoutVolatile(after.get(hostile.key ?? ''));
    expect(now).toMatchObject(fields);
    expect(untouched(now)).toEqual(untouched(withoutVolatile(before.get(hostile.key ?? ''))));
  });

  it('applies every valid record delivered beside the hostile ones', () => {
    expect(valid).toHaveLength(40);
    for (const record of valid) {
      expect(before.get(String(record.asset_id))?.description).not.toBe(record.description);
      const asset = after.get(String(record.asset_id));
      expect(asset?.description).toBe(record.description);
      expect(asset?.tags).toEqual(String(record.tags).split(','));
    }
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(Object.prototype).not.toHaveProperty(POLLUTED);
    expect(({} as Record<string, unknown>)[POLLUTED]).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain(POLLUTED);
  });

  it('sends requests only to known routes, every media id as one path segment', () => {
    const requests = emulator.requests();
    expect(requests.length).toBeGreaterThan(0);
    const allowed = [
      'GET /api/v4/metaproperties/',
      'GET /api/v4/metaproperties/:id/options/',
      'GET /api/v4/media/', // change detection's bulk read (ids in the query)
      'POST /api/v4/media/:id/',
    ];
    expect(requests.filter((request) => !allowed.includes(request.route))).toEqual([]);
    const posts = requests.filter((request) => request.method === 'POST');
    expect(posts.filter((request) => !/^\/api\/v4\/media\/[^/]+\/$/.test(request.path))).toEqual([]);
    // Ids that try to escape the media route never reach Bynder: the asset id validator refuses them.
    expect(requests.filter((r) => /%2F|%3F|%23|\.\./i.test(r.path))).toEqual([]);
  });
});
