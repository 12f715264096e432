import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';

import { storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import type { MediaFile } from '../../dev/bynder-emulator/server';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { describeConnectionFailure } from '../../src/lib/bynder/connection-failure';
import {
  BynderPermissionError,
  BynderUnavailableError,
  BynderUploadError,
} from '../../src/lib/bynder/errors';
import { S3ChunkSender } from '../../src/lib/bynder/s3-chunk-sender';
import {
  awaitImports,
  BynderBrandNotChosenError,
  uploadFile,
  type UploadDeps,
} from '../../src/lib/bynder/upload';
import type { UploadFile, UploadInit, UploadTarget } from '../../src/lib/bynder/upload-types';
import { createPacedClient } from '../../src/lib/delivery';
import { captureFailure } from '../helpers/capture-failure';
import { fakeClock } from '../helpers/fake-clock';
import { portalOf } from '../helpers/portal-origin';
import { multipartEtag } from '../helpers/upload-flow';
import { recordingLogger } from '../helpers/test-loggers';
import { useEmulator } from '../helpers/use-emulator';

// The app's upload client against the emulator's S3-chunk flow: every step in order, the two
// saves, the brand, several imports in one poll, the early save's 303, the file's own faults and
// the missing upload right. Time moves only on the fake clock both sides share: the emulator's
// conversion delay passes while the client waits between polls, and no test sleeps.

const clock = fakeClock();
const CHUNK = 1024;
const CONVERSION_MS = 2_000;
const BRAND = '11111111-2222-3333-4444555566667777';
const OTHER_BRAND = '11111111-2222-3333-4444555566668888';
const TOPIC = 'AAAAAAAA-0000-0000-0000000000000001';
const SEASON = 'AAAAAAAA-0000-0000-0000000000000002';
const SPRING = 'AAAAAAAA-0000-0000-0000000000000003';
const EXISTING = 'BBBBBBBB-0000-0000-0000000000000001';
const FULL = 'upload-full-token-3f9a1c77';
const NO_UPLOAD = 'upload-edit-only-token-5b21d0e4';
const FOR_APPROVAL = 'upload-approval-token-8c4e2a19';

const seed = {
  metaproperties: {
    topic: { id: TOPIC, name: 'topic', type: 'text' },
    season: { id: SEASON, name: 'season', type: 'select', options: [{ id: SPRING, name: 'spring' }] },
  },
  assets: [{ id: EXISTING, name: 'Existing' }],
  brands: [{ id: BRAND, name: 'Acme' }],
};

const emulator = useEmulator({
  seed,
  clock,
  conversionDelayMs: CONVERSION_MS,
  maxChunkBytes: CHUNK,
  rateLimit: false,
  tokens: [
    { token: FULL },
    { token: NO_UPLOAD, roles: ['MEDIAEDIT', 'MEDIAREMOVE'] },
    { token: FOR_APPROVAL, roles: ['MEDIAUPLOADFORAPPROVAL'] },
  ],
});

const said: string[] = [];

function client(token = FULL): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token },
    logger: recordingLogger(said),
    clock,
    random: () => 0,
  });
}

function deps(api = client(), extra: Partial<UploadDeps> = {}): UploadDeps {
  return {
    api,
    logger: recordingLogger(said),
    clock,
    pollIntervalMs: CONVERSION_MS,
    random: () => 0,
    ...extra,
  };
}

/** A file of `size` random bytes, streamed in pieces of `piece` bytes; `bytes` keeps them for the test's oracle. */
function fileOf(size: number, fileName = 'photo.jpg', piece = 700): UploadFile & { bytes: Buffer } {
  const bytes = randomBytes(size);
  async function* body(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < size; offset += piece) {
      await Promise.resolve();
      yield bytes.subarray(offset, Math.min(size, offset + piece));
    }
  }
  return { fileName, size, body: body(), bytes };
}

const chunksOf = (bytes: Buffer, size = CHUNK): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
const steps = () => emulator.requests().map((entry) => `${entry.route} ${entry.status}`);
const s3Posts = () => emulator.requests().filter((entry) => entry.host === 's3').length;
const assetById = (id: string) => emulator.snapshot().assets.find((asset) => asset.id === id);
/** A new asset's target: in BRAND unless told otherwise (`null`: no brand given). */
const newAsset = (form: Record<string, string> = {}, brandId: string | null = BRAND): UploadTarget => ({
  kind: 'new_asset',
  form,
  ...(brandId !== null ? { brandId } : {}),
});

beforeEach(() => {
  emulator.seed(seed);
  emulator.faults.clear();
  emulator.clearRequests();
  said.length = 0;
});

describe('upload as a new asset', () => {
  it('sends each chunk to S3 and registers it, finalises, polls, and saves every field in the save itself', async () => {
    const file = fileOf(5 * CHUNK + 17);
    const form = {
      name: 'Spring catalogue',
      description: 'Front page',
      tags: 'print,spring',
      [`metaproperty.${TOPIC}`]: 'Catalogues',
      [`metaproperty.${SEASON}`]: SPRING,
    };
    const result = await uploadFile(file, newAsset(form), deps());

    expect(result).toMatchObject({ bytes: file.size, chunks: 6, s3Requests: 6 });
    const flow = steps();
    expect(flow.slice(0, 2)).toEqual(['GET /api/upload/endpoint/ 200', 'POST /api/upload/init/ 200']);
    // A chunk's registration runs alongside the next chunk's S3 POST (below): either may answer first.
    expect([...flow.slice(2, -3)].sort()).toEqual(
      [...Array.from({ length: 6 }, () => ['POST / 201', 'POST /api/v4/upload/:id/ 202']).flat()].sort(),
    );
    expect(flow.slice(-3)).toEqual([
      'POST /api/v4/upload/:id/ 202', // the finalise
      'GET /api/v4/upload/poll/ 200',
      'POST /api/v4/media/save/:importId/ 201',
    ]);
    // The save carried every field: no modify after it, so the asset never existed half-described.
    const save = emulator.requests({ route: 'POST /api/v4/media/save/:importId/' })[0];
    expect(save?.formKeys).toEqual(expect.arrayContaining(['brandId', 'name', 'description', 'tags']));
    expect(emulator.requests({ route: 'POST /api/v4/media/:id/' })).toEqual([]);
    const asset = assetById(result.mediaId);
    expect(asset).toMatchObject({
      name: 'Spring catalogue',
      description: 'Front page',
      tags: ['print', 'spring'],
      brandId: BRAND,
      property_topic: 'Catalogues',
      property_season: ['spring'],
      fileSize: file.size,
    });
    expect((asset?.mediaItems as MediaFile[])[0]).toMatchObject({
      size: file.size,
      etag: multipartEtag(chunksOf(file.bytes)),
      fileName: 'photo.jpg',
    });
  });

  it('registers each chunk in order, one at a time, while the next chunk goes to S3', async () => {
    const api = client();
    const original = api.registerChunk.bind(api);
    const events: string[] = [];
    let overlapped = 0;
    api.registerChunk = async (init, n) => {
      events.push(`register ${n}`);
      // Held until the next chunk has reached S3: it comes only if the upload sends it meanwhile
      // (bounded, so an upload that waits for the registration first just finds no overlap).
      for (let turn = 0; turn < 5_000 && n < 6; turn += 1) {
        if (s3Posts() > n) {
          overlapped += 1;
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      const answer = await original(init, n);
      events.push(`registered ${n}`);
      return answer;
    };
    const file = fileOf(5 * CHUNK + 17);
    const result = await uploadFile(file, newAsset(), deps(api));

    expect(events).toEqual([1, 2, 3, 4, 5, 6].flatMap((n) => [`register ${n}`, `registered ${n}`]));
    expect(overlapped).toBe(5);
    expect((assetById(result.mediaId)?.mediaItems as MediaFile[])[0]?.etag).toBe(
      multipartEtag(chunksOf(file.bytes)),
    );
  });

  it('an S3 refusal while the previous chunk registers ends the upload after that registration, as before', async () => {
    const api = client();
    const original = api.registerChunk.bind(api);
    const events: string[] = [];
    api.registerChunk = async (init, n) => {
      events.push(`register ${n}`);
      // Chunk 3's POST is refused (S3's policy check) while chunk 2 registers.
      if (n === 2) emulator.faults.add({ host: 's3', status: 403, times: 1 });
      for (let turn = 0; turn < 5_000 && s3Posts() <= n; turn += 1) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const answer = await original(init, n);
      events.push(`registered ${n}`);
      return answer;
    };
    const error = await captureFailure(uploadFile(fileOf(5 * CHUNK), newAsset(), deps(api)), said);
    events.push('failed');

    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error.message).toContain('chunk 3 refused with 403');
    // The registration in flight ended before the failure was reported; nothing was sent after it.
    expect(events).toEqual(['register 1', 'registered 1', 'register 2', 'registered 2', 'failed']);
    expect(steps().filter((step) => step.startsWith('POST /api/v4/upload/:id/'))).toHaveLength(2);
    expect(s3Posts()).toBe(3);
    expect(emulator.requests({ route: 'POST /api/v4/media/save/:importId/' })).toEqual([]);
  });

  it('closes the file at once when the upload fails before its chunks', async () => {
    let closed = false;
    // The source of a fetched file: closing it ends its connection and its time-budget listener.
    const source: AsyncIterableIterator<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => Promise.resolve({ done: false, value: new Uint8Array(10) }),
      return: () => {
        closed = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    };
    await captureFailure(
      uploadFile({ fileName: 'a.jpg', body: source }, newAsset(), deps(client(NO_UPLOAD))),
      said,
    );
    expect(steps()).toEqual(['GET /api/upload/endpoint/ 403']);
    expect(closed).toBe(true);
  });

  it("saves into the portal's only brand when none is given, asking for the brands first", async () => {
    const result = await uploadFile(fileOf(10), newAsset({}, null), deps());
    expect(steps()[0]).toBe('GET /api/v4/brands/ 200');
    expect(assetById(result.mediaId)?.brandId).toBe(BRAND);
  });

  it('uploads nothing when the portal has several brands and none is given, and names them', async () => {
    emulator.seed({ ...seed, brands: [...seed.brands, { id: OTHER_BRAND, name: 'Beta' }] });
    const error = await captureFailure(uploadFile(fileOf(10), newAsset({}, null), deps()), said);
    expect(error).toBeInstanceOf(BynderBrandNotChosenError);
    expect(error.message).toContain(`2 brands ("Acme" (${BRAND}), "Beta" (${OTHER_BRAND}))`);
    expect(steps()).toEqual(['GET /api/v4/brands/ 200']);
  });

  it('reads the file no further ahead than the chunk being sent', async () => {
    const size = 8 * CHUNK;
    let produced = 0;
    let worstAhead = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < size; offset += 256) {
        // Bytes pulled from the source beyond what S3 has already received, before this piece.
        const received = emulator
          .requests({ route: 'POST /' })
          .filter((entry) => entry.status === 201).length;
        worstAhead = Math.max(worstAhead, produced - received * CHUNK);
        produced += 256;
        yield new Uint8Array(256);
      }
    }
    await uploadFile({ fileName: 'stream.png', body: body() }, newAsset(), deps());
    expect(produced).toBe(size);
    // At most one chunk in hand: the one being filled (the source is never read ahead).
    expect(worstAhead).toBeLessThanOrEqual(CHUNK);
  });

  it('sends nothing at all for an empty file, and says the file is at fault', async () => {
    const error = await captureFailure(
      uploadFile({ fileName: 'empty.jpg', size: 0, body: fileOf(0).body }, newAsset(), deps()),
      said,
    );
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error).toMatchObject({ retryable: false, pendingCause: undefined });
    expect(error.message).toContain('"empty.jpg" is empty (nothing was sent)');
    expect(steps()).toEqual([]);
  });

  it('rejects a file name without an extension with what to change, after the init alone', async () => {
    const error = await captureFailure(uploadFile(fileOf(10, 'README'), newAsset(), deps()), said);
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error).toMatchObject({ retryable: false, pendingCause: undefined });
    expect(error.message).toContain('Bynder refuses the file name "README"');
    expect(error.message).toContain('give the file a name with an extension, such as photo.jpg');
    expect(steps()).toEqual(['GET /api/upload/endpoint/ 200', 'POST /api/upload/init/ 400']);
  });

  it('rejects the file when its conversion fails, and saves nothing', async () => {
    emulator.configure({ failingConversions: ['broken.jpg'] });
    try {
      const error = await captureFailure(uploadFile(fileOf(10, 'broken.jpg'), newAsset(), deps()), said);
      expect(error).toBeInstanceOf(BynderUploadError);
      expect(error).toMatchObject({ retryable: false, pendingCause: undefined });
      expect(error.message).toContain('Bynder could not convert "broken.jpg"');
      expect(emulator.snapshot().assets).toHaveLength(1);
    } finally {
      emulator.configure({ failingConversions: [] });
    }
  });

  it('gives up, retryable, on an import still converting after the last poll', async () => {
    const error = await captureFailure(
      uploadFile(fileOf(10), newAsset(), deps(client(), { maxPolls: 0 })),
      said,
    );
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error).toMatchObject({ retryable: true, pendingCause: 'upload not completed' });
    expect(error.message).toContain('was still converting after 0 polls');
    expect(emulator.requests({ route: 'POST /api/v4/media/save/:importId/' })).toEqual([]);
  });
});

describe('upload as a new version', () => {
  it("makes the file the existing asset's new version, keeping its fields", async () => {
    const file = fileOf(3 * CHUNK);
    const result = await uploadFile(file, { kind: 'new_version', mediaId: EXISTING }, deps());
    expect(result.mediaId).toBe(EXISTING);
    expect(steps().at(-1)).toBe('POST /api/v4/media/:id/save/:importId/ 201');
    expect(steps()).not.toContain('GET /api/v4/brands/ 200');
    const asset = assetById(EXISTING);
    expect(asset).toMatchObject({ name: 'Existing', fileSize: file.size });
    expect(emulator.snapshot().assets).toHaveLength(1);
  });

  it('answers BynderNotFoundError for an asset that does not exist', async () => {
    const missing = 'BBBBBBBB-0000-0000-00000000000000FF';
    const error = await captureFailure(
      uploadFile(fileOf(10), { kind: 'new_version', mediaId: missing }, deps()),
      said,
    );
    expect(error.name).toBe('BynderNotFoundError');
    expect(error.message).toContain('Bynder POST /api/v4/media/{id}/save/{importId}/ failed with 404');
  });
});

describe('the poll', () => {
  it('asks for several imports in one poll request', async () => {
    const api = client();
    const importIds: string[] = [];
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) {
      const init = await api.initUpload(name);
      await uploadOneChunk(init, name);
      await api.registerChunk(init, 1);
      importIds.push((await api.finaliseUpload(init, 1, name)).importId);
    }
    emulator.clearRequests();
    const outcomes = await awaitImports(api, importIds, { clock, pollIntervalMs: CONVERSION_MS });
    expect([...outcomes.values()]).toEqual(['done', 'done', 'done']);
    expect(steps()).toEqual(['GET /api/v4/upload/poll/ 200']);
  });

  it('polls again after a save answered 303 "not converted yet", then saves', async () => {
    emulator.faults.add({
      match: 'POST /api/v4/media/save/:importId/',
      status: 303,
      message: 'Import not converted yet, please poll',
      times: 1,
    });
    const result = await uploadFile(fileOf(10), newAsset({ name: 'Late' }), deps());
    expect(steps().slice(-4)).toEqual([
      'GET /api/v4/upload/poll/ 200',
      'POST /api/v4/media/save/:importId/ 303',
      'GET /api/v4/upload/poll/ 200',
      'POST /api/v4/media/save/:importId/ 201',
    ]);
    expect(assetById(result.mediaId)?.name).toBe('Late');
    expect(said.some((line) => line.includes('answered 303 "Import not converted yet"; polling again'))).toBe(
      true,
    );
  });

  it('stops after three saves answered 303, retryable', async () => {
    emulator.faults.add({ match: 'POST /api/v4/media/save/:importId/', status: 303 });
    const error = await captureFailure(uploadFile(fileOf(10), newAsset(), deps()), said);
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain('answered 303 "Import not converted yet" 3 times');
    expect(emulator.requests({ route: 'POST /api/v4/media/save/:importId/' })).toHaveLength(3);
  });
});

describe('the upload right', () => {
  it('says which right is missing and where, on the first step, before any byte is sent', async () => {
    const error = await captureFailure(uploadFile(fileOf(10), newAsset(), deps(client(NO_UPLOAD))), said);
    expect(error).toBeInstanceOf(BynderPermissionError);
    expect(error.message).toBe(
      "Bynder GET /api/upload/endpoint/ failed with 403: Access denied; the token's user needs the MEDIAUPLOAD role (MEDIAUPLOADFORAPPROVAL only uploads into the waiting room) and scope asset:write",
    );
    const credentials = { kind: 'permanent_token', token: NO_UPLOAD } as const;
    expect(describeConnectionFailure(error, { portalUrl: emulator.url, credentials }).message).toBe(
      `${emulator.url} accepted the token but denied access (403) to GET /api/upload/endpoint/. In Bynder, let the permanent token's user upload assets (role MEDIAUPLOAD; with only MEDIAUPLOADFORAPPROVAL, uploads wait in the waiting room and cannot add versions; scope asset:write), then test again.`,
    );
    expect(emulator.requests({ route: 'POST /' })).toEqual([]);
  });

  it('with upload for approval only: saves into the waiting room with audit, and cannot add a version', async () => {
    const api = client(FOR_APPROVAL);
    const saved = await uploadFile(fileOf(10), { ...newAsset(), audit: true } as UploadTarget, deps(api));
    expect(assetById(saved.mediaId)).toMatchObject({ audit: true });
    const error = await captureFailure(
      uploadFile(fileOf(10), { kind: 'new_version', mediaId: EXISTING }, deps(api)),
      said,
    );
    expect(error).toBeInstanceOf(BynderPermissionError);
    expect(error.message).toContain(
      'needs the MEDIAUPLOAD role (and scope asset:write); upload for approval cannot add a version',
    );
  });
});

describe('through the paced client', () => {
  it('takes every Bynder step from the request budget, and no S3 chunk', async () => {
    const paced = createPacedClient(
      {
        portalUrl: portalOf(emulator.url),
        credentials: { kind: 'permanent_token', token: FULL },
        requestsPerSecond: 10,
      },
      { logger: recordingLogger(said), clock, kvStore: storage.kvStore },
    );
    const result = await uploadFile(fileOf(4 * CHUNK), newAsset(), deps(paced.api));
    const bynderRequests = emulator.requests().filter((entry) => entry.host !== 's3').length;
    expect(result.s3Requests).toBe(4);
    // endpoint, init, 4 registrations, finalise, poll, save.
    expect(bynderRequests).toBe(9);
    expect(paced.budget.granted).toBe(bynderRequests);
  });
});

describe('the bucket URL Bynder names', () => {
  const init = (): Promise<UploadInit> => client().initUpload('bucket.jpg');
  const sender = (endpoint: string, lookup?: LookupFunction) =>
    new S3ChunkSender(endpoint, {
      logger: recordingLogger(said),
      clock,
      retries: 0,
      ...(lookup ? { lookup } : {}),
    });

  it.each([
    ['http://bucket.example/', 'http://bucket.example is not https; the app sends files over https only'],
    ['https://user:secret@bucket.example/', 'https://bucket.example carries a user name or password'],
    ['not a url', '"not a url" is not a URL'],
  ])('refuses %s before sending anything', (endpoint, problem) => {
    expect(() => sender(endpoint)).toThrow(
      `Bynder GET /api/upload/endpoint/ answered with an unexpected body: the S3 bucket URL cannot be used: ${problem}`,
    );
  });

  it('never connects to a bucket host that resolves to a private address', async () => {
    const resolved: string[] = [];
    const toPrivate: LookupFunction = (hostname, _options, callback) => {
      resolved.push(hostname);
      callback(null, [{ address: '10.20.30.40', family: 4 }]);
    };
    const error = await captureFailure(
      sender('https://bynder-bucket.example/', toPrivate).send({
        init: await init(),
        chunkNumber: 1,
        bytes: new Uint8Array(1),
      }),
      said,
    );
    expect(resolved).toEqual(['bynder-bucket.example']);
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error.message).toContain('resolves to a private address');
  });
});

/** One chunk of `name` into S3 through the app's own sender (for tests that drive the steps one by one). */
async function uploadOneChunk(init: UploadInit, name: string): Promise<void> {
  const sender = new S3ChunkSender(emulator.s3Url, { logger: recordingLogger(said), clock });
  await sender.send({ init, chunkNumber: 1, bytes: Buffer.from(name) });
}
