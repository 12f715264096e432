import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { FaultRule } from '../../dev/bynder-emulator/server';
import { fakeClock } from '../helpers/fake-clock';
import {
  fileInChunks,
  finaliseUpload,
  getEndpoint,
  initUpload,
  type InitAnswer,
  pollImports,
  postChunk,
  registerChunk,
  saveAsNew,
  saveAsVersion,
  uploadToImport,
} from '../helpers/upload-flow';
import { callEmulator, type EmulatorResponse, useEmulator } from '../helpers/use-emulator';

const clock = fakeClock();
const CHUNK = 1024;
const CONVERSION_MS = 3_000;
const BRAND = '11111111-2222-3333-4444555566667777';
const EXISTING = 'BBBBBBBB-0000-0000-0000000000000001';
const seed = {
  metaproperties: {},
  assets: [{ id: EXISTING, name: 'Existing' }],
  brands: [{ id: BRAND, name: 'Acme' }],
};

const emulator = useEmulator({ seed, clock, conversionDelayMs: CONVERSION_MS, maxChunkBytes: CHUNK });

beforeEach(() => {
  emulator.seed(seed);
  emulator.faults.clear();
  emulator.clearRequests();
});

async function convertedImport(): Promise<string> {
  const { importId } = await uploadToImport(emulator, 'ready.jpg', fileInChunks(10, CHUNK).chunks);
  clock.advance(CONVERSION_MS);
  return importId;
}

/** One step of the flow: how to reach it, the route a fault names, and what success looks like. */
interface Step {
  name: string;
  match: string;
  host?: 'bynder' | 's3';
  /** Prepares the steps before this one and returns the call of this one. */
  prepare: () => Promise<() => Promise<EmulatorResponse>>;
  ok: number;
}

const chunk = Buffer.from('0123456789');
const withChunk = async (): Promise<InitAnswer> => {
  const init = await initUpload(emulator, 'c.jpg');
  await postChunk(emulator.s3Url, init, 1, chunk);
  return init;
};

const steps: Step[] = [
  {
    name: 'endpoint',
    match: 'GET /api/upload/endpoint/',
    ok: 200,
    prepare: () => Promise.resolve(() => getEndpoint(emulator)),
  },
  {
    name: 'init',
    match: 'POST /api/upload/init/',
    ok: 200,
    prepare: () =>
      Promise.resolve(() =>
        callEmulator(emulator, 'POST', '/api/upload/init/', { form: { filename: 'i.jpg' } }),
      ),
  },
  {
    name: 'chunk to S3',
    match: 'POST /',
    host: 's3',
    ok: 201,
    prepare: async () => {
      const init = await initUpload(emulator, 's3.jpg');
      return () => postChunk(emulator.s3Url, init, 1, chunk);
    },
  },
  {
    name: 'chunk registration',
    match: 'POST /api/v4/upload/:id/',
    ok: 202,
    prepare: async () => {
      const init = await withChunk();
      return () => registerChunk(emulator, init, 1);
    },
  },
  {
    name: 'finalise',
    match: 'POST /api/v4/upload/:id/',
    ok: 202,
    prepare: async () => {
      const init = await withChunk();
      await registerChunk(emulator, init, 1);
      return () => finaliseUpload(emulator, init, 1, 'c.jpg');
    },
  },
  {
    name: 'poll',
    match: 'GET /api/v4/upload/poll/',
    ok: 200,
    prepare: async () => {
      const importId = await convertedImport();
      return () => pollImports(emulator, [importId]);
    },
  },
  {
    name: 'save as new asset',
    match: 'POST /api/v4/media/save/:importId/',
    ok: 201,
    prepare: async () => {
      const importId = await convertedImport();
      return () => saveAsNew(emulator, importId, { brandId: BRAND });
    },
  },
  {
    name: 'save as new version',
    match: 'POST /api/v4/media/:id/save/:importId/',
    ok: 201,
    prepare: async () => {
      const importId = await convertedImport();
      return () => saveAsVersion(emulator, EXISTING, importId);
    },
  },
];

const statusFaults = [500, 502, 503, 504, 429];

describe.each(steps)('faults on $name', (step) => {
  const rule = (fault: Omit<FaultRule, 'match' | 'host' | 'times'>): FaultRule => ({
    match: step.match,
    times: 1,
    ...(step.host ? { host: step.host } : {}),
    ...fault,
  });

  it.each(statusFaults)('answers %i once, then the retry succeeds', async (status) => {
    const call = await step.prepare();
    emulator.faults.add(rule({ status }));
    const faulted = await call();
    expect(faulted.status).toBe(status);
    // S3 answers in its own XML, never in Bynder's envelope.
    const envelope = /^\{"message":"[^"]+","statuscode":(\d{3})\}$/.exec(faulted.text)?.[1];
    const s3Error = /^<\?xml[\s\S]*<Error><Code>\w+<\/Code>/.test(faulted.text);
    expect({ envelope, s3Error }).toEqual(
      step.host === 's3'
        ? { envelope: undefined, s3Error: true }
        : { envelope: String(status), s3Error: false },
    );
    expect((await call()).status).toBe(step.ok);
  });

  it('resets the connection once (the log shows status 0), then the retry succeeds', async () => {
    const call = await step.prepare();
    emulator.faults.add(rule({ reset: true }));
    await expect(call()).rejects.toThrow();
    expect((await call()).status).toBe(step.ok);
    const logged = emulator.requests().filter((entry) => entry.status === 0);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.route).toBe(step.match);
  });

  it('stalls once (closed without an answer), then the retry succeeds', async () => {
    const call = await step.prepare();
    emulator.faults.add(rule({ stall: true, stallMs: 0 }));
    await expect(call()).rejects.toThrow();
    expect((await call()).status).toBe(step.ok);
    await vi.waitFor(() => expect(emulator.requests().filter((entry) => entry.status === 0)).toHaveLength(1));
  });
});

describe('faults after the work is done (afterHandling)', () => {
  it('a chunk stored by S3 whose answer was lost can be registered', async () => {
    const init = await initUpload(emulator, 'lost.jpg');
    emulator.faults.add({ match: 'POST /', host: 's3', reset: true, afterHandling: true, times: 1 });
    await expect(postChunk(emulator.s3Url, init, 1, chunk)).rejects.toThrow();
    expect((await registerChunk(emulator, init, 1)).status).toBe(202);
  });

  it('a finalise whose answer was lost answers the same import when repeated', async () => {
    const init = await withChunk();
    await registerChunk(emulator, init, 1);
    emulator.faults.add({ match: 'POST /api/v4/upload/:id/', status: 504, afterHandling: true, times: 1 });
    expect((await finaliseUpload(emulator, init, 1, 'c.jpg')).status).toBe(504);
    const first = (await finaliseUpload(emulator, init, 1, 'c.jpg')).json as { importId: string };
    const second = (await finaliseUpload(emulator, init, 1, 'c.jpg')).json as { importId: string };
    expect(first.importId).toBe(second.importId);
  });

  it('a save whose answer was lost created the asset: the repeat finds the import consumed', async () => {
    const importId = await convertedImport();
    emulator.faults.add({
      match: 'POST /api/v4/media/save/:importId/',
      reset: true,
      afterHandling: true,
      times: 1,
    });
    await expect(saveAsNew(emulator, importId, { brandId: BRAND })).rejects.toThrow();
    expect(emulator.snapshot().assets).toHaveLength(2);
    const repeat = await saveAsNew(emulator, importId, { brandId: BRAND });
    expect(repeat.json).toEqual({ message: "Upload doesn't exist", statuscode: '404' });
  });

  it('a fault before handling leaves nothing behind: a 503 save creates no asset', async () => {
    const importId = await convertedImport();
    emulator.faults.add({ match: 'POST /api/v4/media/save/:importId/', status: 503, times: 1 });
    expect((await saveAsNew(emulator, importId, { brandId: BRAND })).status).toBe(503);
    expect(emulator.snapshot().assets).toHaveLength(1);
  });
});

describe('fault rules and the two hosts', () => {
  it('a rule for the S3 host never hits Bynder, and one for Bynder never hits S3', async () => {
    const init = await initUpload(emulator, 'h.jpg');
    emulator.faults.add({ host: 'bynder', status: 503 });
    expect((await postChunk(emulator.s3Url, init, 1, chunk)).status).toBe(201);
    emulator.faults.clear();
    emulator.faults.add({ host: 's3', status: 503 });
    expect((await registerChunk(emulator, init, 1)).status).toBe(202);
    expect((await postChunk(emulator.s3Url, init, 2, chunk)).status).toBe(503);
  });

  it('takes S3 rules through the admin route', async () => {
    const response = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ match: 'POST /', host: 's3', status: 500, afterHandling: true }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual([
      { match: 'POST /', host: 's3', status: 500, afterHandling: true },
    ]);
  });
});
