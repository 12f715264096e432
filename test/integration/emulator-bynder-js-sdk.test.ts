import Bynder from '@bynder/bynder-js-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Seed } from '../../dev/bynder-emulator/server';
import { useEmulator } from '../helpers/use-emulator';

// Contract: Bynder's own JavaScript SDK (@bynder/bynder-js-sdk 2.5.2), pointed at the emulator, gets
// what it gets from Bynder. The SDK's routes and parameters are those in its dist/bynder-js-sdk.js:
// every call goes to `${baseURL}v4/...` with a trailing slash (GET params as query, POST params
// form-encoded by query-string, arrays as repeated keys), the token comes from simple-oauth2 at
// `/v6/authentication/oauth2/token` (resolved against the baseURL's origin), and any status >= 400
// rejects with axios's error, whose `response` holds the status and the parsed body.

const REGION = '1A2B3C4D-1111-4A22-9B33C44D55E66F77';
const NOTES = '2B3C4D5E-3333-4C44-8D55E66F77A88B99';
const RELATED = '4D5E6F70-8888-4A22-9B33C44D55E66F77';
const EMEA = '9F8E7D6C-2222-4B33-8C44D55E66F77A88';
const APAC = '0E1F2A3B-6666-4F77-8A88B99C00D11E22';
const RETIRED = '0E1F2A3B-6666-4F77-8A88B99C00D11E44';
const A = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';
const B = '7C1D2E3F-4444-4D55-9E66F77A88B99C01';
const C = '7C1D2E3F-4444-4D55-9E66F77A88B99C02';
const MISSING = '7C1D2E3F-4444-4D55-9E66F77A88B99CFF';

const seed: Seed = {
  metaproperties: {
    Region: {
      id: REGION,
      name: 'region',
      label: 'Region',
      type: 'select',
      isMultiselect: true,
      isRequired: false,
      isEditable: true,
      options: [
        { id: EMEA, name: 'emea', label: 'EMEA', isSelectable: true, active: true },
        { id: APAC, name: 'apac', label: 'APAC', isSelectable: true, active: true },
        { id: RETIRED, name: 'retired', label: 'Retired', isSelectable: false, active: false },
      ],
    },
    Usage_notes: { id: NOTES, name: 'usage_notes', label: 'Usage notes', type: 'longtext', isEditable: true },
    Related_assets: { id: RELATED, name: 'related_assets', label: 'Related assets', type: 'linked_assets' },
  },
  assets: [
    {
      id: A,
      name: 'Alpha',
      type: 'image',
      tags: ['spring'],
      dateCreated: '2024-01-03T00:00:00Z',
      archive: false,
      isPublic: false,
      property_region: ['emea'],
      property_usage_notes: 'Internal use only',
    },
    {
      id: B,
      name: 'Bravo',
      type: 'video',
      dateCreated: '2024-01-02T00:00:00Z',
      archive: true,
      property_region: ['emea', 'apac'],
      relatedAssets: [{ metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [A] }],
    },
    { id: C, name: 'Charlie', type: 'image', dateCreated: '2024-01-01T00:00:00Z', property_region: ['apac'] },
  ],
};

const emulator = useEmulator({
  seed,
  rateLimit: false,
  tokens: [
    { token: 'sdk-permanent-token-7f2a' },
    { token: 'no-markpublic-token-3c9e', roles: ['MEDIAEDIT', 'MEDIAREMOVE'] },
  ],
  oauthClients: [
    { clientId: 'sdk-client-5e8b1d3f', clientSecret: 'sdk-client-secret-2a7c', tokenTtlSeconds: 3600 },
  ],
});

beforeEach(() => {
  emulator.configure({ seed });
  emulator.clearRequests();
});

/** The SDK's baseURL: the portal's API root, to which it appends `v4/...`. */
const apiRoot = (): string => `${emulator.url}/api/`;
const withToken = (permanentToken = 'sdk-permanent-token-7f2a'): Bynder =>
  new Bynder({ baseURL: apiRoot(), permanentToken });

/** What a rejected SDK call carries: axios's error, with the HTTP status and the parsed body. */
async function rejectionOf(call: Promise<unknown>): Promise<{ status?: number; body?: unknown }> {
  const error = await call.then(
    () => {
      throw new Error('expected the SDK call to reject');
    },
    (caught: unknown) => caught as { response?: { status?: number; data?: unknown } },
  );
  return { status: error.response?.status, body: error.response?.data };
}

describe('Bynder JS SDK against the emulator: client-credentials token', () => {
  it('gets a bearer token from /v6/authentication/oauth2/token and uses it on the API', async () => {
    const bynder = new Bynder({
      baseURL: apiRoot(),
      clientId: 'sdk-client-5e8b1d3f',
      clientSecret: 'sdk-client-secret-2a7c',
    });
    const token = await bynder.getTokenClientCredentials();
    expect(token.token).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(token.token.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(token.expired()).toBe(false);
    expect(await bynder.getMediaTotal()).toBe(3);
    expect(emulator.requests().map((r) => [r.route, r.status])).toEqual([
      ['POST /v6/authentication/oauth2/token', 200],
      ['GET /api/v4/media/', 200],
    ]);
  });

  it('rejects a wrong secret with 401 invalid_client', async () => {
    const bynder = new Bynder({
      baseURL: apiRoot(),
      clientId: 'sdk-client-5e8b1d3f',
      clientSecret: 'wrong-client-secret-9d4f',
    });
    // simple-oauth2 rejects with a Boom error from @hapi/wreck: the status in output, the body in data.
    const error = (await bynder.getTokenClientCredentials().then(
      () => undefined,
      (caught: unknown) => caught,
    )) as { output?: { statusCode?: number }; data?: { payload?: unknown } } | undefined;
    expect(error?.output?.statusCode).toBe(401);
    expect(error?.data?.payload).toMatchObject({ error: 'invalid_client' });
  });
});

describe('Bynder JS SDK against the emulator: metaproperties', () => {
  it('getMetaproperties: the keyed object becomes a list, flags as 1/0, options inside', async () => {
    const list = (await withToken().getMetaproperties()) as Array<Record<string, unknown>>;
    expect(list.map((mp) => mp.name).sort()).toEqual(['region', 'related_assets', 'usage_notes']);
    const region = list.find((mp) => mp.id === REGION);
    expect(region).toMatchObject({ type: 'select', isMultiselect: 1, isRequired: 0, isEditable: 1 });
    expect(region?.options).toEqual([
      { id: EMEA, name: 'emea', label: 'EMEA', isSelectable: 1, active: 1 },
      { id: APAC, name: 'apac', label: 'APAC', isSelectable: 1, active: 1 },
      { id: RETIRED, name: 'retired', label: 'Retired', isSelectable: 0, active: 0 },
    ]);
    expect(emulator.requests().map((r) => r.path)).toEqual(['/api/v4/metaproperties/']);
  });

  it('getMetaproperties passes its params as query (options=0 leaves options out)', async () => {
    const list = (await withToken().getMetaproperties({ options: 0 })) as Array<Record<string, unknown>>;
    expect(list).toHaveLength(3);
    expect(list.every((mp) => !('options' in mp))).toBe(true);
  });

  it('getMetaproperty: one object; an unknown id rejects with 404 and the v4 envelope', async () => {
    expect(await withToken().getMetaproperty({ id: NOTES })).toEqual({
      id: NOTES,
      name: 'usage_notes',
      label: 'Usage notes',
      type: 'longtext',
      isEditable: 1,
    });
    expect(await rejectionOf(withToken().getMetaproperty({ id: MISSING }))).toEqual({
      status: 404,
      body: { message: 'Metaproperty not found', statuscode: 404 },
    });
  });
});

describe('Bynder JS SDK against the emulator: media reads', () => {
  it('getMediaList: an array, booleans as 1/0, option names and text under property_<name>, linked assets in relatedAssets', async () => {
    const media = (await withToken().getMediaList()) as Array<Record<string, unknown>>;
    expect(media.map((m) => m.id)).toEqual([A, B, C]); // newest first
    expect(media[0]).toMatchObject({
      name: 'Alpha',
      archive: 0,
      isPublic: 0,
      limited: 0,
      watermarked: 0,
      tags: ['spring'],
      propertyOptions: [EMEA],
      property_region: ['emea'],
      property_usage_notes: 'Internal use only',
    });
    expect(media[1]).toMatchObject({ archive: 1 });
    expect(media[1]?.relatedAssets).toEqual([
      { metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [A] },
    ]);
    expect(media[1]).not.toHaveProperty('property_related_assets');
    // The SDK always adds count=false, which keeps the plain-array answer.
    expect(emulator.requests().map((r) => r.route)).toEqual(['GET /api/v4/media/']);
  });

  it('getMediaList with filters: property_<name>, propertyOptionId, type, archive, keyword, orderBy, limit and page', async () => {
    const ids = async (params: Record<string, string | number | boolean>) =>
      ((await withToken().getMediaList(params)) as Array<{ id: string }>).map((m) => m.id);
    expect(await ids({ property_region: 'emea' })).toEqual([A, B]);
    expect(await ids({ property_region: `${EMEA},${APAC}` })).toEqual([B]);
    expect(await ids({ propertyOptionId: APAC })).toEqual([B, C]);
    expect(await ids({ type: 'image' })).toEqual([A, C]);
    expect(await ids({ archive: true })).toEqual([B]);
    expect(await ids({ archive: 0 })).toEqual([A, C]);
    expect(await ids({ keyword: 'charl' })).toEqual([C]);
    expect(await ids({ orderBy: 'name desc', limit: 2, page: 1 })).toEqual([C, B]);
    expect(await ids({ orderBy: 'name desc', limit: 2, page: 2 })).toEqual([A]);
  });

  it('getMediaTotal: count.total of the same filters', async () => {
    expect(await withToken().getMediaTotal()).toBe(3);
    expect(await withToken().getMediaTotal({ property_region: 'apac' })).toBe(2);
    expect(await withToken().getMediaTotal({ propertyOptionId: [EMEA, APAC] })).toBe(1);
  });

  it('getMediaInfo: one object; an unknown id rejects with 404 and statuscode "404"', async () => {
    expect(await withToken().getMediaInfo({ id: C, versions: 0 })).toMatchObject({
      id: C,
      name: 'Charlie',
      archive: 0,
      property_region: ['apac'],
    });
    expect(emulator.requests().map((r) => r.route)).toEqual(['GET /api/v4/media/:id/']);
    expect(await rejectionOf(withToken().getMediaInfo({ id: MISSING }))).toEqual({
      status: 404,
      body: { message: 'Media not found', statuscode: '404' },
    });
  });
});

describe('Bynder JS SDK against the emulator: editMedia and deleteMedia', () => {
  it('editMedia: POST /api/v4/media/ with id in the form, 202 Accepted, lists as repeated keys, booleans as true', async () => {
    const answer = await withToken().editMedia({
      id: C,
      description: 'Edited by the JS SDK',
      tags: ['one', 'two'],
      archive: true,
      isPublic: true,
      [`metaproperty.${REGION}`]: [EMEA, APAC],
    });
    expect(answer).toEqual({ message: 'Accepted', statuscode: 202 });
    expect(emulator.requests().map((r) => [r.route, r.status])).toEqual([['POST /api/v4/media/', 202]]);
    await emulator.settle();
    expect(await withToken().getMediaInfo({ id: C })).toMatchObject({
      description: 'Edited by the JS SDK',
      tags: ['one', 'two'],
      archive: 1,
      isPublic: 1,
      property_region: ['emea', 'apac'],
    });
  });

  it('editMedia: clearing by an empty value, and the relatedAssets written as a comma list of ids', async () => {
    await withToken().editMedia({
      id: A,
      [`metaproperty.${NOTES}`]: '',
      [`metaproperty.${RELATED}`]: `${B},${C}`,
    });
    await emulator.settle();
    const a = (await withToken().getMediaInfo({ id: A })) as Record<string, unknown>;
    expect(a).not.toHaveProperty('property_usage_notes');
    expect(a.relatedAssets).toEqual([
      { metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [B, C] },
    ]);
  });

  it('editMedia: 403 (statuscode "403") for isPublic without MARKPUBLIC, 404 (statuscode "404") for an unknown asset', async () => {
    expect(
      await rejectionOf(withToken('no-markpublic-token-3c9e').editMedia({ id: A, isPublic: true })),
    ).toEqual({
      status: 403,
      body: { message: 'Access denied', statuscode: '403' },
    });
    expect(await rejectionOf(withToken().editMedia({ id: MISSING, name: 'x' }))).toEqual({
      status: 404,
      body: { message: 'Media not found', statuscode: '404' },
    });
  });

  it('deleteMedia: 204 resolves to {}, the asset leaves the list, and a second delete rejects with 404 "404"', async () => {
    expect(await withToken().deleteMedia({ id: B })).toEqual({});
    expect(await withToken().getMediaTotal()).toBe(2);
    expect(await rejectionOf(withToken().deleteMedia({ id: B }))).toEqual({
      status: 404,
      body: { message: 'Media not found', statuscode: '404' },
    });
    expect(emulator.requests({ route: 'DELETE /api/v4/media/:id/' }).map((r) => r.status)).toEqual([
      204, 404,
    ]);
  });
});
