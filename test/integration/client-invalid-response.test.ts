import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import {
  BynderApiError,
  BynderInvalidResponseError,
  BynderListingNotFoundError,
  BynderUnconfirmedWriteError,
} from '../../src/lib/bynder/errors';
import { captureFailure } from '../helpers/capture-failure';
import { useLoopbackServer } from '../helpers/loopback-server';
import { recordingLogger } from '../helpers/test-loggers';
import { portalOf } from '../helpers/portal-origin';

// Bodies the emulator never sends (it answers like Bynder): a tiny local server answers each route
// with whatever the test sets, so the client's zod checks and status handling can be seen at work.

const TOKEN = 'tiny-server-token-5d1e';
interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}
const replies = new Map<string, Reply>();
const seen: string[] = [];
const logLines: string[] = [];

function reply(route: string, status: number, body: unknown, contentType = 'application/json'): void {
  replies.set(route, { status, body: typeof body === 'string' ? body : JSON.stringify(body), contentType });
}

function client(): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(server.url),
    credentials: { kind: 'permanent_token', token: TOKEN },
    logger: recordingLogger(logLines),
    retries: 0,
  });
}

const failureOf = (promise: Promise<unknown>): Promise<Error> => captureFailure(promise, []);

const server = useLoopbackServer((req, res) => {
  const path = (req.url ?? '').split('?')[0] ?? '';
  seen.push(`${req.method} ${req.url}`);
  const answer = replies.get(`${req.method} ${path}`) ?? { status: 599, body: 'no reply set' };
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain', ...answer.headers });
  res.end(answer.body);
});

beforeEach(() => {
  replies.clear();
  seen.length = 0;
});

describe('BynderClient against bodies Bynder should not send', () => {
  it('says when the portal answers HTML (not a Bynder portal)', async () => {
    reply('GET /api/v4/metaproperties/', 200, '<html><body>Welcome</body></html>', 'text/html');
    const error = await failureOf(client().testConnection());
    expect(error).toBeInstanceOf(BynderInvalidResponseError);
    expect(error.message).toContain('is the portal address a Bynder portal?');
  });

  it('refuses an option page that is not an array', async () => {
    reply('GET /api/v4/metaproperties/', 200, { Region: { id: 'R1', name: 'region', type: 'select' } });
    reply('GET /api/v4/metaproperties/R1/options/', 200, { options: [] });
    const error = await failureOf(client().listMetaproperties());
    expect(error).toBeInstanceOf(BynderInvalidResponseError);
    expect(error.message).toContain('GET /api/v4/metaproperties/{id}/options/');
  });

  it('stops when a portal ignores paging and repeats a full page', async () => {
    const fullPage = Array.from({ length: 1000 }, (_, i) => ({ id: `O${i}`, name: `o${i}` }));
    reply('GET /api/v4/metaproperties/', 200, { Region: { id: 'R1', name: 'region', type: 'select' } });
    reply('GET /api/v4/metaproperties/R1/options/', 200, fullPage);
    const error = await failureOf(client().listMetaproperties());
    expect(error).toBeInstanceOf(BynderInvalidResponseError);
    expect(error.message).toContain('page 2 repeats page 1');
    expect(seen.filter((line) => line.startsWith('GET /api/v4/metaproperties/R1/options/'))).toHaveLength(2);
  });

  it('refuses a media answer that is not an asset', async () => {
    reply('GET /api/v4/media/M1/', 200, { message: 'OK' });
    expect(await failureOf(client().getMedia('M1'))).toBeInstanceOf(BynderInvalidResponseError);
  });

  it('treats an unexpected 2xx on modify as unconfirmed, not success', async () => {
    reply('POST /api/v4/media/M1/', 204, '');
    const error = await failureOf(client().updateMedia('M1', { name: 'x' }));
    expect(error).toBeInstanceOf(BynderUnconfirmedWriteError);
    expect(error.message).toContain('answered 204 with an empty body');
  });

  it('does not follow a redirect (the Authorization header stays home)', async () => {
    replies.set('GET /api/v4/media/M1/', { status: 302, body: '', headers: { location: '/elsewhere/' } });
    replies.set('GET /elsewhere/', { status: 200, body: '{"id":"M1"}', contentType: 'application/json' });
    const error = await failureOf(client().getMedia('M1'));
    expect(error).toBeInstanceOf(BynderApiError);
    expect(error.message).toContain('redirects are not followed');
    expect(seen).toEqual(['GET /api/v4/media/M1/']);
  });

  it('tolerates a {media} wrapper and 1/0 booleans', async () => {
    reply('GET /api/v4/media/', 200, {
      total: { count: 1 },
      media: [{ id: 'M1', isPublic: 0, property_sku: 'A-1' }],
    });
    expect(await client().findMediaByProperty('sku', 'A-1')).toEqual([
      { id: 'M1', isPublic: 0, property_sku: 'A-1' },
    ]);
    expect(seen).toEqual(['GET /api/v4/media/?property_sku=A-1&limit=2']);
  });

  it('never shows the token in these errors or log lines', async () => {
    reply('GET /api/v4/media/M1/', 500, { message: `echo Bearer ${TOKEN}` });
    const error = await failureOf(client().getMedia('M1'));
    expect(error.message).toContain('[REDACTED]');
    for (const text of [...logLines, error.message, inspect(error, { depth: 5 }), JSON.stringify(error)]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe('BynderClient reads what Bynder may answer, one odd entry at a time', () => {
  beforeEach(() => {
    logLines.length = 0;
  });

  it('leaves out a listed metaproperty without an id, warns naming it, and keeps the others', async () => {
    reply('GET /api/v4/metaproperties/', 200, {
      Region: { name: 'region', type: 'select', options: [] },
      Notes: { id: 'N1', name: 'notes', type: 'text' },
    });
    const listing = await client().listMetaproperties();
    expect(listing.metaproperties.map((mp) => mp.name)).toEqual(['notes']);
    expect(listing.skipped).toEqual([{ key: 'Region', name: 'region', problem: '"id" is missing' }]);
    expect(logLines.join('\n')).toContain(
      'left out metaproperty "region", which cannot be read: "id" is missing',
    );
    await expect(client().testConnection()).resolves.toBeUndefined();
  });

  it('reads a listing that is a list, and an empty portal answering []', async () => {
    reply('GET /api/v4/metaproperties/', 200, [{ id: 'A', name: 'a', type: 'text' }]);
    expect((await client().listMetaproperties()).metaproperties.map((mp) => mp.id)).toEqual(['A']);
    reply('GET /api/v4/metaproperties/', 200, []);
    expect(await client().listMetaproperties()).toEqual({ metaproperties: [], skipped: [] });
    await expect(client().testConnection()).resolves.toBeUndefined();
  });

  it('leaves out the one metaproperty whose paged options include one without a name', async () => {
    reply('GET /api/v4/metaproperties/', 200, {
      Region: { id: 'R1', name: 'region', type: 'select' },
      Channel: { id: 'C1', name: 'channel', type: 'select' },
    });
    reply('GET /api/v4/metaproperties/R1/options/', 200, [{ id: 'A', name: 'emea' }, { id: 'B' }]);
    reply('GET /api/v4/metaproperties/C1/options/', 200, [{ id: 'E', name: 'email', active: 1 }]);
    const listing = await client().listMetaproperties();
    expect(listing.metaproperties.map((mp) => [mp.name, mp.options?.map((o) => o.name)])).toEqual([
      ['channel', ['email']],
    ]);
    expect(listing.skipped).toEqual([
      { key: 'region', id: 'R1', name: 'region', problem: 'option 2 ("B"): "name" is missing' },
    ]);
    expect(logLines.join('\n')).toContain('left out metaproperty "region" (id R1)');
  });

  it('reads the assets of a media page around one without an id, and says so', async () => {
    reply('GET /api/v4/media/', 200, { media: [{ name: 'no id' }, { id: 'M1', property_sku: 'A-1' }] });
    expect(await client().findMediaByProperty('sku', 'A-1')).toEqual([{ id: 'M1', property_sku: 'A-1' }]);
    expect(logLines.join('\n')).toContain('answered 1 asset(s) without an id');
  });

  it('keeps records pending on a 404 of the media listing instead of asking to check an id', async () => {
    reply('GET /api/v4/media/', 404, { message: 'Not Found', statuscode: '404' });
    const error = await failureOf(client().findMediaByProperty('sku', 'A-1'));
    expect(error).toBeInstanceOf(BynderListingNotFoundError);
    expect(error).toMatchObject({ retryable: true, pendingCause: 'unexpected answer from Bynder' });
    expect(error.message).not.toContain('check the id');
    expect(error.message).toContain('documents 404 only for an unknown asset id filter');
    expect(await failureOf(client().listMediaByIds(['M1']))).toBeInstanceOf(BynderListingNotFoundError);
  });

  it.each([
    ['a number', 202],
    ['a string', '202'],
  ])('confirms a modify whose envelope carries statuscode as %s', async (_what, statuscode) => {
    reply('POST /api/v4/media/M1/', 202, { message: 'Accepted', statuscode });
    await expect(client().updateMedia('M1', { name: 'x' })).resolves.toBeUndefined();
  });

  it('confirms a delete answered 204 with an empty body', async () => {
    replies.set('DELETE /api/v4/media/M1/', { status: 204, body: '' });
    await expect(client().deleteMedia('M1')).resolves.toBeUndefined();
  });
});
