import { randomBytes } from 'node:crypto';

import { storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { FaultRule } from '../../dev/bynder-emulator/server';
import { BynderClient, type ResponseInfo } from '../../src/lib/bynder/BynderClient';
import {
  BynderRateLimitBlockedError,
  BynderRateLimitError,
  BynderUnavailableError,
  BynderUploadError,
} from '../../src/lib/bynder/errors';
import { uploadFile, type UploadDeps } from '../../src/lib/bynder/upload';
import type { UploadFile, UploadTarget } from '../../src/lib/bynder/upload-types';
import { createPacedClient } from '../../src/lib/delivery';
import { captureFailure } from '../helpers/capture-failure';
import { fakeClock } from '../helpers/fake-clock';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';
import { useEmulator } from '../helpers/use-emulator';

// Every fault the emulator can play (5xx, a stall closed unanswered, a stall past the client's
// timeout, a reset, 429), on every step of the upload flow, and what the client makes of it: the
// retried steps succeed on the next attempt; a fault that lasts ends in the step's error class; a
// 429 from Bynder is surfaced at once and stored as the block, where S3's is backed off; a save is
// never sent twice. Backoff jitter is pinned to 0 and time is the fake clock's: nothing sleeps.

const clock = fakeClock();
const CHUNK = 1024;
const CONVERSION_MS = 2_000;
/**
 * The client's timeouts: short where a test stalls a request past them, so the stall costs a
 * fraction of a second of real time; long otherwise, so that an answered request on a loaded
 * machine is never cut and sent again (which a 250 ms timeout did, two 202s for one fault).
 */
const STALL_TIMEOUT_MS = 250;
const ANSWER_TIMEOUT_MS = 10_000;
let timeoutMs = ANSWER_TIMEOUT_MS;
const BRAND = '11111111-2222-3333-4444555566667777';
const EXISTING = 'BBBBBBBB-0000-0000-0000000000000001';
const seed = {
  metaproperties: {},
  assets: [{ id: EXISTING, name: 'Existing' }],
  brands: [{ id: BRAND, name: 'Acme' }],
};

const emulator = useEmulator({
  seed,
  clock,
  conversionDelayMs: CONVERSION_MS,
  maxChunkBytes: CHUNK,
  rateLimit: false,
});

const said: string[] = [];
/** A fault armed to strike only once the answer named has come (the finalise shares the registration's route). */
let armed: { after: string; rule: FaultRule } | undefined;
const armAfter = (info: ResponseInfo): void => {
  if (armed && info.route === armed.after && info.status !== undefined && info.status < 300) {
    emulator.faults.add(armed.rule);
    armed = undefined;
  }
};

function client(): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token: emulator.token },
    logger: recordingLogger(said),
    clock,
    random: () => 0,
    timeoutMs,
    onResponse: armAfter,
  });
}

function deps(api: UploadDeps['api'] = client()): UploadDeps {
  return {
    api,
    logger: recordingLogger(said),
    clock,
    pollIntervalMs: CONVERSION_MS,
    random: () => 0,
    s3TimeoutMs: timeoutMs,
  };
}

function fileOf(size: number): UploadFile {
  const bytes = randomBytes(size);
  return {
    fileName: 'fault.jpg',
    size,
    body: (async function* body() {
      yield bytes;
    })(),
  };
}

interface Step {
  name: string;
  /** The emulator's route, as its log and its faults name it. */
  route: string;
  /** The client's route in messages. */
  said: string;
  host?: 'bynder' | 's3';
  target: UploadTarget;
  /** Arm the fault only after this route of the client answered (for the finalise). */
  after?: string;
  /** The log's entries for the route that belong to another step: the registration before a finalise, the finalise after the registrations. */
  others?: 'first' | 'last';
  /** A save is sent once: a fault on it is not retried. */
  sentOnce?: boolean;
}

const BYNDER_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{16}$/;
const newAsset: UploadTarget = { kind: 'new_asset', brandId: BRAND, form: { name: 'Faulted' } };
const newVersion: UploadTarget = { kind: 'new_version', mediaId: EXISTING };

const steps: Step[] = [
  {
    name: 'endpoint',
    route: 'GET /api/upload/endpoint/',
    said: 'GET /api/upload/endpoint/',
    target: newAsset,
  },
  { name: 'init', route: 'POST /api/upload/init/', said: 'POST /api/upload/init/', target: newAsset },
  { name: 'chunk to S3', route: 'POST /', said: '(S3)', host: 's3', target: newAsset },
  {
    name: 'chunk registration',
    route: 'POST /api/v4/upload/:id/',
    said: 'POST /api/v4/upload/{id}/',
    target: newAsset,
    others: 'last',
  },
  {
    name: 'finalise',
    route: 'POST /api/v4/upload/:id/',
    said: 'POST /api/v4/upload/{id}/',
    target: newAsset,
    after: 'POST /api/v4/upload/{id}/',
    others: 'first',
  },
  { name: 'poll', route: 'GET /api/v4/upload/poll/', said: 'GET /api/v4/upload/poll/', target: newAsset },
  {
    name: 'save as new asset',
    route: 'POST /api/v4/media/save/:importId/',
    said: 'POST /api/v4/media/save/{importId}/',
    target: newAsset,
    sentOnce: true,
  },
  {
    name: 'save as new version',
    route: 'POST /api/v4/media/:id/save/:importId/',
    said: 'POST /api/v4/media/{id}/save/{importId}/',
    target: newVersion,
    sentOnce: true,
  },
];

/** Faults that end without an answer (status 0 in the log) or with a 5xx. */
const transient: Array<[string, Omit<FaultRule, 'match' | 'host' | 'times'>, number]> = [
  ['500', { status: 500 }, 500],
  ['502', { status: 502 }, 502],
  ['503', { status: 503 }, 503],
  ['504', { status: 504 }, 504],
  ['a reset', { reset: true }, 0],
  ['a stall closed unanswered', { stall: true, stallMs: 0 }, 0],
  ['a stall past the timeout', { stall: true }, 0],
];

beforeEach(() => {
  emulator.seed(seed);
  emulator.faults.clear();
  emulator.clearRequests();
  armed = undefined;
  timeoutMs = ANSWER_TIMEOUT_MS;
  said.length = 0;
  // Past any rate-limit block an earlier test stored (five quiet minutes on Bynder).
  clock.advance(10 * 60_000);
});

/** The statuses the step's own requests got, in order (without the other step sharing its route, once it answered). */
function statusesOf(step: Step): number[] {
  const statuses = emulator
    .requests()
    .filter((entry) => entry.route === step.route && (entry.host === 's3') === (step.host === 's3'))
    .map((entry) => entry.status);
  const otherDone = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
  if (step.others === 'first' && otherDone(statuses[0])) return statuses.slice(1);
  if (step.others === 'last' && otherDone(statuses.at(-1)) && otherDone(statuses.at(-2))) {
    return statuses.slice(0, -1);
  }
  return statuses;
}

function add(step: Step, fault: Omit<FaultRule, 'match' | 'host'>): void {
  if (fault.stall === true && fault.stallMs === undefined) timeoutMs = STALL_TIMEOUT_MS;
  const rule: FaultRule = { match: step.route, host: step.host ?? 'bynder', ...fault };
  if (step.after) armed = { after: step.after, rule };
  else emulator.faults.add(rule);
}

const retried = steps.filter((step) => step.sentOnce !== true);
const sentOnce = steps.filter((step) => step.sentOnce === true);
const bynderSteps = steps.filter((step) => step.host !== 's3');
const s3Step = steps.filter((step) => step.host === 's3');

function pacedClient() {
  return createPacedClient(
    {
      portalUrl: portalOf(emulator.url),
      credentials: { kind: 'permanent_token', token: emulator.token },
      requestsPerSecond: 10,
    },
    { logger: recordingLogger(said), clock, kvStore: storage.kvStore, onResponse: armAfter },
  );
}

describe.each(retried)('faults on $name (retried by the client)', (step) => {
  it.each(transient)('%s once: retried, and the upload completes', async (_what, fault, loggedStatus) => {
    add(step, { ...fault, times: 1 });
    const result = await uploadFile(fileOf(10), step.target, deps());
    expect(result.mediaId).toMatch(BYNDER_ID);
    const statuses = statusesOf(step);
    // The faulted attempt, then the retry that succeeded.
    expect(statuses).toEqual([loggedStatus, statuses.at(-1)]);
    expect(statuses.at(-1)).toBeGreaterThanOrEqual(200);
    expect(statuses.at(-1)).toBeLessThan(300);
  });

  it('a 503 that lasts: BynderUnavailableError after 3 retries', async () => {
    add(step, { status: 503 });
    const error = await captureFailure(uploadFile(fileOf(10), step.target, deps()), said);
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error).toMatchObject({ status: 503, retryable: true, pendingCause: 'Bynder unavailable' });
    expect(error.message).toContain(step.said);
    expect(statusesOf(step)).toEqual([503, 503, 503, 503]);
    expect(said.filter((line) => /retry \d of 3 in 0 ms/.test(line))).toHaveLength(3);
  });
});

describe.each(sentOnce)('faults on $name (sent once: it may have taken effect)', (step) => {
  it.each([...transient, ['a 503 that lasts', { status: 503 }, 503] as const])(
    '%s: BynderUploadError, not sent again',
    async (_what, fault, loggedStatus) => {
      add(step, { times: 1, ...fault });
      const error = await captureFailure(uploadFile(fileOf(10), step.target, deps()), said);
      expect(error).toBeInstanceOf(BynderUploadError);
      expect(error).toMatchObject({ retryable: true, pendingCause: 'upload not completed' });
      expect(error.message).toContain(`${step.said} is unavailable`);
      expect(error.message).toContain('the save may have taken effect, so it is not sent again blindly');
      // A connection closed unanswered is logged when the emulator sees it close.
      await vi.waitFor(() => expect(statusesOf(step)).toEqual([loggedStatus]));
    },
  );
});

describe.each(bynderSteps)('429 on $name', (step) => {
  it('BynderRateLimitError at once, the block stored, and the next upload sends nothing', async () => {
    const paced = pacedClient();
    add(step, { status: 429, times: 1 });
    const error = await captureFailure(uploadFile(fileOf(10), step.target, deps(paced.api)), said);
    expect(error).toBeInstanceOf(BynderRateLimitError);
    expect(error).toMatchObject({ status: 429, retryable: true, batchEffect: 'rate_limit' });
    expect(error.message).toContain(`Bynder ${step.said} failed with 429`);
    expect(statusesOf(step)).toEqual([429]);
    expect(paced.rateLimit.current()).toBeDefined();
    emulator.clearRequests();
    const next = await captureFailure(uploadFile(fileOf(10), step.target, deps(paced.api)), said);
    expect(next).toBeInstanceOf(BynderRateLimitBlockedError);
    expect(emulator.requests()).toEqual([]);
  });
});

describe.each(s3Step)('429 on $name', (step) => {
  it("is S3 asking to slow down, not Bynder's block: backed off, sent again, nothing stored", async () => {
    const paced = pacedClient();
    add(step, { status: 429, times: 1 });
    const result = await uploadFile(fileOf(10), step.target, deps(paced.api));
    expect(result.s3Requests).toBe(2);
    expect(statusesOf(step)).toEqual([429, 201]);
    expect(paced.rateLimit.current()).toBeUndefined();
  });
});

describe('a step whose work was done but whose answer was lost', () => {
  it('a chunk S3 stored before the reset is sent again and the upload completes', async () => {
    emulator.faults.add({ match: 'POST /', host: 's3', reset: true, afterHandling: true, times: 1 });
    const result = await uploadFile(fileOf(3 * CHUNK), newAsset, deps());
    expect(result.s3Requests).toBe(4);
    expect(emulator.snapshot().assets.find((asset) => asset.id === result.mediaId)?.fileSize).toBe(3 * CHUNK);
  });

  it('a finalise answered 504 after it took effect is retried and gives the same import', async () => {
    armed = {
      after: 'POST /api/v4/upload/{id}/',
      rule: { match: 'POST /api/v4/upload/:id/', status: 504, afterHandling: true, times: 1 },
    };
    const result = await uploadFile(fileOf(10), newAsset, deps());
    expect(emulator.snapshot().assets).toHaveLength(2);
    expect(result.importId).toMatch(BYNDER_ID);
  });

  it('a save whose answer was lost is not sent again: one asset, and an error saying it may exist', async () => {
    emulator.faults.add({
      match: 'POST /api/v4/media/save/:importId/',
      reset: true,
      afterHandling: true,
      times: 1,
    });
    const error = await captureFailure(uploadFile(fileOf(10), newAsset, deps()), said);
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(emulator.snapshot().assets).toHaveLength(2);
    expect(emulator.requests({ route: 'POST /api/v4/media/save/:importId/' })).toHaveLength(1);
  });
});

describe("Bynder's refusal to retry", () => {
  it('a registration answered 500 with retry 0 ends the upload at once, to be started over', async () => {
    // The emulator answers retry 0 to a chunk registered under another upload's target.
    emulator.faults.clear();
    const api = client();
    const original = api.registerChunk.bind(api);
    api.registerChunk = (init, n) => original({ ...init, targetId: 'final/other/x.jpg' }, n);
    const error = await captureFailure(uploadFile(fileOf(10), newAsset, deps(api)), said);
    expect(error).toBeInstanceOf(BynderUploadError);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toContain('Could not complete upload');
    expect(error.message).toContain('Bynder says not to retry it');
    expect(emulator.requests({ route: 'POST /api/v4/upload/:id/' }).map((entry) => entry.status)).toEqual([
      500,
    ]);
  });
});
