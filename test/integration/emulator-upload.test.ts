import { createHash } from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';

import type { MediaFile } from '../../dev/bynder-emulator/server';
import { classifyAddress } from '../../src/lib/net/address-guard';
import { isLoopbackHost } from '../../src/lib/portal-url';
import { fakeClock } from '../helpers/fake-clock';
import {
  chunkFields,
  fileInChunks,
  finaliseUpload,
  getEndpoint,
  initUpload,
  pollImports,
  postChunk,
  registerChunk,
  saveAsNew,
  saveAsVersion,
  uploadToImport,
} from '../helpers/upload-flow';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

const clock = fakeClock();
const CHUNK = 64 * 1024;
const CONVERSION_MS = 5_000;
const BRAND = '11111111-2222-3333-4444555566667777';
const SUB_BRAND = '11111111-2222-3333-4444555566668888';
const COLOUR_ID = 'AAAAAAAA-0000-0000-0000000000000001';
const RED_ID = 'AAAAAAAA-0000-0000-0000000000000011';
const NOTE_ID = 'AAAAAAAA-0000-0000-0000000000000002';
const EXISTING = 'BBBBBBBB-0000-0000-0000000000000001';

const seed = {
  metaproperties: {
    colour: {
      id: COLOUR_ID,
      name: 'colour',
      type: 'select',
      options: [{ id: RED_ID, name: 'red', label: 'Red' }],
    },
    note: { id: NOTE_ID, name: 'note', type: 'text' },
  },
  assets: [{ id: EXISTING, name: 'Existing' }],
  brands: [
    {
      id: BRAND,
      name: 'Acme',
      description: 'Main brand',
      image: 'https://cdn.example/acme.png',
      subBrands: [{ id: SUB_BRAND, name: 'Acme Kids' }],
    },
  ],
};

const emulator = useEmulator({
  seed,
  clock,
  tokens: [
    { token: 'all' },
    { token: 'no-upload', roles: ['MEDIAEDIT', 'MEDIAREMOVE', 'MARKPUBLIC'] },
    { token: 'approval-only', roles: ['MEDIAUPLOADFORAPPROVAL'] },
    { token: 'read-only', scopes: ['asset:read'] },
  ],
  conversionDelayMs: CONVERSION_MS,
  maxChunkBytes: CHUNK,
});

beforeEach(() => {
  emulator.seed(seed);
  emulator.faults.clear();
  emulator.configure({ conversionDelayMs: CONVERSION_MS, maxChunkBytes: CHUNK, failingConversions: [] });
});

/** Uploads `size` random bytes and waits out the conversion: an import ready to save. */
async function convertedImport(filename: string, size = 2 * CHUNK + 100) {
  const file = fileInChunks(size, CHUNK);
  const { importId } = await uploadToImport(emulator, filename, file.chunks);
  clock.advance(CONVERSION_MS);
  return { importId, etag: file.etag, size };
}

describe('the upload endpoint and the S3 stand-in host', () => {
  it('answers the S3 URL as a JSON string, on a second loopback host the loopback switch covers', async () => {
    const response = await getEndpoint(emulator);
    expect(response.status).toBe(200);
    expect(response.json).toBe(emulator.s3Url);
    const s3 = new URL(emulator.s3Url);
    expect(s3.origin).not.toBe(new URL(emulator.url).origin);
    expect(s3.hostname).toBe('127.0.0.2');
    // The app's guards see it as loopback: allowed only under BYNDER_ALLOW_LOOPBACK_PORTAL.
    expect(isLoopbackHost(s3.hostname)).toBe(true);
    expect(classifyAddress(s3.hostname)).toBe('loopback');
  });
});

describe('init', () => {
  it('answers the upload id, the S3 key and the signed multipart params', async () => {
    const init = await initUpload(emulator, 'shoe.jpg');
    expect(init.s3file.uploadid).toMatch(/^[\w-]{20,}$/);
    expect(init.s3file.targetid).toMatch(/^final\/[0-9A-F-]+\/shoe\.jpg$/);
    expect(init.s3_filename).toMatch(/^api_uploads\/.+\/shoe\.jpg$/);
    expect(init.target_key).toBe(init.s3_filename);
    expect(init.multipart_params).toMatchObject({
      acl: 'private',
      success_action_status: '201',
      'Content-Type': 'image/jpeg',
      key: init.s3_filename,
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(init.multipart_params.Policy).toEqual(expect.any(String));
    expect(init.multipart_params['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file name without an extension with the OpenAPI 400, as text', async () => {
    const response = await callEmulator(emulator, 'POST', '/api/upload/init/', {
      form: { filename: 'image' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(JSON.parse(response.text)).toEqual({ filename: "'image' is not a valid filename" });
  });
});

describe('chunks to S3', () => {
  it('stores a chunk (size and MD5, no bytes) and answers 201 with the ETag', async () => {
    const init = await initUpload(emulator, 'a.png');
    const bytes = Buffer.from('chunk one');
    const response = await postChunk(emulator.s3Url, init, 1, bytes);
    const md5 = createHash('md5').update(bytes).digest('hex');
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe(`"${md5}"`);
    expect(response.text).toContain(`<Key>${init.s3_filename}/p1</Key>`);
    expect(emulator.requests({ method: 'POST' }).at(-1)).toMatchObject({
      route: 'POST /',
      host: 's3',
      status: 201,
    });
  });

  it('accepts a chunk sent as a stream, of exactly the largest size the policy allows', async () => {
    const init = await initUpload(emulator, 'stream.jpg');
    const boundary = 'emulator-test-boundary';
    const head = Object.entries(chunkFields(init, 1))
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('');
    const piece = Buffer.alloc(CHUNK / 8, 7);
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from(
        `${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p1"\r\n\r\n`,
      );
      for (let i = 0; i < 8; i += 1) yield piece;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    const response = await fetch(emulator.s3Url, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: ReadableStream.from(body()),
      duplex: 'half',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe(
      `"${createHash('md5').update(Buffer.alloc(CHUNK, 7)).digest('hex')}"`,
    );
  });

  it('refuses a chunk over the policy size (EntityTooLarge) and an empty one (EntityTooSmall)', async () => {
    const init = await initUpload(emulator, 'big.jpg');
    const tooBig = await postChunk(emulator.s3Url, init, 1, Buffer.alloc(CHUNK + 1));
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toContain('<Code>EntityTooLarge</Code>');
    const empty = await postChunk(emulator.s3Url, init, 1, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<Code>EntityTooSmall</Code>');
  });

  it('refuses what the signed policy does not allow: another key, a forged signature, an expired policy', async () => {
    const init = await initUpload(emulator, 'p.jpg');
    const otherKey = await postChunk(emulator.s3Url, init, 1, Buffer.from('x'), {
      ...chunkFields(init, 1),
      key: 'somewhere/else/p1',
    });
    expect(otherKey.status).toBe(403);
    expect(otherKey.text).toContain('Policy Condition failed');
    const forged = await postChunk(emulator.s3Url, init, 1, Buffer.from('x'), {
      ...chunkFields(init, 1),
      'X-Amz-Signature': '0'.repeat(64),
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    clock.advance(60 * 60 * 1000);
    const expired = await postChunk(emulator.s3Url, init, 1, Buffer.from('x'));
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Policy expired');
  });

  it('refuses a body that is not multipart/form-data with 412, as S3 does', async () => {
    const response = await fetch(emulator.s3Url, { method: 'POST', body: 'raw bytes' });
    expect(response.status).toBe(412);
    expect(await response.text()).toContain('<Code>PreconditionFailed</Code>');
  });
});

describe('chunk registration', () => {
  it('registers a chunk S3 holds (202 status ok), in the OpenAPI form and the JS SDK form', async () => {
    const init = await initUpload(emulator, 'r.jpg');
    await postChunk(emulator.s3Url, init, 1, Buffer.from('one'));
    await postChunk(emulator.s3Url, init, 2, Buffer.from('two'));
    const response = await registerChunk(emulator, init, 1);
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ status: 'ok' });
    const sdkForm = await callEmulator(emulator, 'POST', '/api/v4/upload/', {
      form: {
        id: init.s3file.uploadid,
        targetid: init.s3file.targetid,
        filename: `${init.s3_filename}/p2`,
        chunkNumber: '2',
      },
    });
    expect(sdkForm.status).toBe(202);
  });

  it('answers 500 with retry for a chunk S3 does not hold yet, and without for an unknown upload', async () => {
    const init = await initUpload(emulator, 'r.jpg');
    const early = await registerChunk(emulator, init, 1);
    expect(early.status).toBe(500);
    expect(early.json).toMatchObject({ message: 'Could not complete upload', retry: 1, success: false });
    const unknown = await registerChunk(
      emulator,
      { ...init, s3file: { ...init.s3file, uploadid: 'nope' } },
      1,
    );
    expect(unknown.status).toBe(500);
    expect(unknown.json).toMatchObject({
      message: 'Could not complete upload',
      retry: 0,
      detail: 'no such upload',
    });
  });
});

describe('finalise', () => {
  it('answers the import id once every chunk is in S3 and registered', async () => {
    const init = await initUpload(emulator, 'f.jpg');
    for (const n of [1, 2]) {
      await postChunk(emulator.s3Url, init, n, Buffer.from(`part ${n}`));
      await registerChunk(emulator, init, n);
    }
    const response = await finaliseUpload(emulator, init, 2, 'f.jpg');
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({
      importId: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{16}$/),
      success: 1,
      locationType: 's3',
      file: { type: 's3' },
    });
  });

  it('refuses a count that does not match the chunks: a missing, an unregistered or an extra part', async () => {
    const init = await initUpload(emulator, 'f.jpg');
    await postChunk(emulator.s3Url, init, 1, Buffer.from('one'));
    await registerChunk(emulator, init, 1);
    await postChunk(emulator.s3Url, init, 2, Buffer.from('two'));
    const unregistered = await finaliseUpload(emulator, init, 2, 'f.jpg');
    expect(unregistered.status).toBe(500);
    expect(unregistered.json).toMatchObject({
      message: 'Could not complete upload',
      detail: 'part 2 was not registered',
    });
    await registerChunk(emulator, init, 2);
    const missing = await finaliseUpload(emulator, init, 3, 'f.jpg');
    expect(missing.json).toMatchObject({ detail: 'part 3 is not in S3' });
    const extra = await finaliseUpload(emulator, init, 1, 'f.jpg');
    expect(extra.json).toMatchObject({ detail: 'part 2 lies past chunks=1' });
  });
});

describe('poll', () => {
  it('lists an import only once its conversion time has passed on the emulator clock', async () => {
    const file = fileInChunks(100, CHUNK);
    const { importId } = await uploadToImport(emulator, 'p.jpg', file.chunks);
    const converting = await pollImports(emulator, [importId]);
    expect(converting.json).toEqual({ itemsDone: [], itemsFailed: [], itemsRejected: [] });
    clock.advance(CONVERSION_MS - 1);
    expect((await pollImports(emulator, [importId])).json).toMatchObject({ itemsDone: [] });
    clock.advance(1);
    expect((await pollImports(emulator, [importId])).json).toEqual({
      itemsDone: [importId],
      itemsFailed: [],
      itemsRejected: [],
    });
  });

  it('answers many imports in one request, a failed conversion among them', async () => {
    emulator.configure({ failingConversions: ['broken.jpg'] });
    emulator.clearRequests();
    const one = await uploadToImport(emulator, 'one.jpg', fileInChunks(10, CHUNK).chunks);
    const two = await uploadToImport(emulator, 'two.jpg', fileInChunks(10, CHUNK).chunks);
    const broken = await uploadToImport(emulator, 'broken.jpg', fileInChunks(10, CHUNK).chunks);
    clock.advance(CONVERSION_MS);
    const response = await pollImports(emulator, [one.importId, two.importId, broken.importId, 'UNKNOWN']);
    expect(response.json).toEqual({
      itemsDone: [one.importId, two.importId],
      itemsFailed: [broken.importId],
      itemsRejected: [],
    });
    expect(emulator.requests('GET /api/v4/upload/poll/')).toHaveLength(1);
  });
});

describe('save as a new asset', () => {
  it('answers 303 "not converted yet" before the conversion ends, then creates the asset whole', async () => {
    const file = fileInChunks(3 * CHUNK - 5, CHUNK);
    const { importId } = await uploadToImport(emulator, 'Red Shoe.jpg', file.chunks);
    const form = {
      brandId: BRAND,
      name: 'Red shoe',
      description: 'A shoe, red',
      tags: 'shoes,red',
      [`metaproperty.${COLOUR_ID}`]: RED_ID,
      [`metaproperty.${NOTE_ID}`]: 'from the PIM',
    };
    const early = await saveAsNew(emulator, importId, form);
    expect(early.status).toBe(303);
    expect(early.json).toEqual({ message: 'Import not converted yet, please poll', statuscode: '303' });
    expect(emulator.snapshot().assets).toHaveLength(1);

    clock.advance(CONVERSION_MS);
    const saved = await saveAsNew(emulator, importId, form);
    expect(saved.status).toBe(201);
    const answer = saved.json as { mediaid: string; success: boolean; mediaitems: unknown[] };
    expect(answer).toMatchObject({ success: true, mediaid: expect.any(String), batchId: expect.any(String) });
    expect(answer.mediaitems).toEqual([
      {
        original: `final/${answer.mediaid}/Red Shoe.jpg`,
        destination: expect.stringContaining(answer.mediaid),
      },
    ]);

    const asset = (await callEmulator(emulator, 'GET', `/api/v4/media/${answer.mediaid}/`)).json;
    expect(asset).toMatchObject({
      name: 'Red shoe',
      description: 'A shoe, red',
      tags: ['shoes', 'red'],
      brandId: BRAND,
      property_colour: ['red'],
      property_note: 'from the PIM',
      fileSize: file.chunks.reduce((sum, chunk) => sum + chunk.length, 0),
      extension: ['jpg'],
    });
    const dumped = emulator.snapshot().assets.find((entry) => entry.id === answer.mediaid);
    expect(dumped?.mediaItems).toEqual([
      expect.objectContaining({
        version: 1,
        fileName: 'Red Shoe.jpg',
        size: 3 * CHUNK - 5,
        etag: file.etag,
        importId,
      }),
    ]);
    // The state dump over HTTP carries sizes and hashes, never the bytes.
    const state = await fetch(`${emulator.url}/__emulator/state`);
    expect((await state.text()).length).toBeLessThan(3 * CHUNK);
  });

  it('accepts a sub-brand, and the JS SDK form with importId in the body', async () => {
    const { importId } = await convertedImport('sdk.jpg');
    const response = await callEmulator(emulator, 'POST', '/api/v4/media/save/', {
      form: { importId, brandId: SUB_BRAND, name: 'via sdk' },
    });
    expect(response.status).toBe(201);
  });

  it('refuses a save without a brand, with an unknown brand, a bad crc32 or a bad date (400, string statuscode)', async () => {
    const { importId } = await convertedImport('b.jpg');
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'No brandid provided'],
      [{ brandId: 'FFFFFFFF-0000-0000-0000000000000000' }, 'Invalid brandid provided'],
      [{ brandId: BRAND, crc32: 'abc' }, 'Invalid argument type for CRC32'],
      [{ brandId: BRAND, crc32: '4294967296' }, 'Invalid unsigned integer for CRC32'],
      [{ brandId: BRAND, archiveDate: '31-12-2025' }, 'Date format not ISO8601-compliant'],
    ];
    for (const [form, message] of cases) {
      const response = await saveAsNew(emulator, importId, form);
      expect({ status: response.status, body: response.json }).toEqual({
        status: 400,
        body: { message, statuscode: '400' },
      });
    }
    expect((await saveAsNew(emulator, importId, { brandId: BRAND })).status).toBe(201);
  });

  it('answers 404 for an unknown import and for an import already saved', async () => {
    const unknown = await saveAsNew(emulator, 'CCCCCCCC-0000-0000-0000000000000000', { brandId: BRAND });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ message: 'Import ID not found', statuscode: '404' });
    const { importId } = await convertedImport('twice.jpg');
    expect((await saveAsNew(emulator, importId, { brandId: BRAND })).status).toBe(201);
    const again = await saveAsNew(emulator, importId, { brandId: BRAND });
    expect(again.json).toEqual({ message: "Upload doesn't exist", statuscode: '404' });
    expect(emulator.snapshot().assets).toHaveLength(2);
  });

  it('answers 500 "Upload failed or not ready" for an import whose conversion failed', async () => {
    emulator.configure({ failingConversions: ['bad.jpg'] });
    const { importId } = await convertedImport('bad.jpg');
    const response = await saveAsNew(emulator, importId, { brandId: BRAND });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ message: 'Upload failed or not ready', statuscode: '500' });
  });
});

describe('save as a new version', () => {
  it('adds a version to an existing asset: the dump lists both files with their sizes', async () => {
    const first = await convertedImport('v.jpg', 100);
    const created = (await saveAsNew(emulator, first.importId, { brandId: BRAND })).json as {
      mediaid: string;
    };
    const second = await convertedImport('v2.png', CHUNK + 1);
    const response = await saveAsVersion(emulator, created.mediaid, second.importId);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ mediaid: created.mediaid, success: true });
    const asset = emulator.snapshot().assets.find((entry) => entry.id === created.mediaid);
    expect(asset?.fileSize).toBe(CHUNK + 1);
    expect(
      (asset?.mediaItems as MediaFile[]).map(({ version, size, etag, active }) => ({
        version,
        size,
        etag,
        active,
      })),
    ).toEqual([
      { version: 1, size: 100, etag: first.etag, active: false },
      { version: 2, size: CHUNK + 1, etag: second.etag, active: true },
    ]);
  });

  it('adds a first uploaded file to a seeded asset, and answers 404 for an unknown asset', async () => {
    const { importId, size } = await convertedImport('seeded.jpg');
    expect((await saveAsVersion(emulator, EXISTING, importId)).status).toBe(201);
    expect(emulator.snapshot().assets.find((entry) => entry.id === EXISTING)?.fileSize).toBe(size);
    const other = await convertedImport('other.jpg');
    const missing = await saveAsVersion(emulator, 'DDDDDDDD-0000-0000-0000000000000000', other.importId);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: 'Media not found', statuscode: '404' });
  });

  it('answers 303 before the conversion ends', async () => {
    const { importId } = await uploadToImport(emulator, 'early.jpg', fileInChunks(10, CHUNK).chunks);
    const response = await saveAsVersion(emulator, EXISTING, importId);
    expect(response.status).toBe(303);
    expect(response.json).toEqual({ message: 'Import not converted yet, please poll', statuscode: '303' });
  });
});

describe('brands', () => {
  it('lists the seed brands with their sub-brands, as the brands OpenAPI shapes them', async () => {
    const response = await callEmulator(emulator, 'GET', '/api/v4/brands/');
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      {
        id: BRAND,
        name: 'Acme',
        description: 'Main brand',
        image: 'https://cdn.example/acme.png',
        subBrands: [{ id: SUB_BRAND, name: 'Acme Kids', description: '', image: '', subBrands: [] }],
      },
    ]);
    expect(emulator.snapshot().brands).toEqual(seed.brands);
  });

  it('gives a portal seeded without brands one default brand', async () => {
    emulator.seed({ metaproperties: {}, assets: [] });
    const brands = (await callEmulator(emulator, 'GET', '/api/v4/brands/')).json as Array<{ id: string }>;
    expect(brands).toHaveLength(1);
  });
});

describe('the upload role', () => {
  it('answers 403 on every upload route to a token without MEDIAUPLOAD or MEDIAUPLOADFORAPPROVAL', async () => {
    const init = await initUpload(emulator, 'role.jpg');
    const denied = { message: 'Access denied', statuscode: '403' };
    const calls = [
      getEndpoint(emulator, 'no-upload'),
      callEmulator(emulator, 'POST', '/api/upload/init/', {
        form: { filename: 'x.jpg' },
        token: 'no-upload',
      }),
      registerChunk(emulator, init, 1, 'no-upload'),
      finaliseUpload(emulator, init, 1, 'role.jpg', 'no-upload'),
      pollImports(emulator, ['X'], 'no-upload'),
      saveAsNew(emulator, 'X', { brandId: BRAND }, 'no-upload'),
      saveAsVersion(emulator, EXISTING, 'X', 'no-upload'),
      getEndpoint(emulator, 'read-only'),
    ];
    for (const response of await Promise.all(calls)) {
      expect({ status: response.status, body: response.json }).toEqual({ status: 403, body: denied });
    }
    // Brands need no upload role.
    expect((await callEmulator(emulator, 'GET', '/api/v4/brands/', { token: 'no-upload' })).status).toBe(200);
  });

  it('lets an upload-for-approval token save only into the waiting room (audit=true)', async () => {
    const { importId } = await convertedImport('approval.jpg');
    const direct = await saveAsNew(emulator, importId, { brandId: BRAND }, 'approval-only');
    expect(direct.status).toBe(403);
    const audited = await saveAsNew(emulator, importId, { brandId: BRAND, audit: 'true' }, 'approval-only');
    expect(audited.status).toBe(201);
    expect(audited.json).toMatchObject({ accessRequestId: expect.any(String) });
  });
});
