import { beforeEach, describe, expect, it } from 'vitest';

import type { Seed } from '../../dev/bynder-emulator/server';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Bodies and statuses as Bynder documents them: https://api.bynder.com/reference/get_api-v4-media.
const REGION = '1A2B3C4D-1111-4A22-9B33C44D55E66F77';
const NOTES = '2B3C4D5E-3333-4C44-8D55E66F77A88B99';
const KEY = '3C4D5E6F-7777-4A22-9B33C44D55E66F77';
const RELATED = '4D5E6F70-8888-4A22-9B33C44D55E66F77';
const EMEA = '9F8E7D6C-2222-4B33-8C44D55E66F77A88';
const APAC = '0E1F2A3B-6666-4F77-8A88B99C00D11E22';
const BENELUX = '0E1F2A3B-6666-4F77-8A88B99C00D11E33';
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
      options: [
        {
          id: EMEA,
          name: 'emea',
          label: 'EMEA',
          options: [{ id: BENELUX, name: 'benelux', label: 'Benelux' }],
        },
        { id: APAC, name: 'apac', label: 'APAC' },
      ],
    },
    Usage_notes: { id: NOTES, name: 'usage_notes', label: 'Usage notes', type: 'longtext' },
    External_id: { id: KEY, name: 'external_id', label: 'External ID', type: 'text' },
    Related_assets: { id: RELATED, name: 'related_assets', label: 'Related assets', type: 'linked_assets' },
  },
  assets: [
    // Lenient forms on purpose: 0/1 booleans, a label as option value, text as a one-element array.
    {
      id: A,
      name: 'Alpha',
      dateModified: '2024-01-01T00:00:00Z',
      tags: 'spring,homepage',
      isPublic: 0,
      archive: 1,
      property_region: ['EMEA'],
      property_external_id: ['EXT-1'],
    },
    {
      id: B,
      name: 'Bravo',
      property_region: ['emea', 'apac'],
      property_usage_notes: 'Internal use only',
      relatedAssets: [{ metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [A, C] }],
    },
    { id: C, name: 'Charlie', description: 'third', dateCreated: '2020-01-01T00:00:00Z' },
  ],
};

interface MediaJson {
  id: string;
  name: string;
  description: string;
  tags: string[];
  isPublic: number;
  archive: number;
  dateModified: string;
  propertyOptions: string[];
  [key: string]: unknown;
}

const emulator = useEmulator({ seed, rateLimit: false });

beforeEach(() => {
  emulator.configure({ seed, strict: false });
  emulator.clearRequests();
});

async function getMedia(id: string): Promise<MediaJson> {
  const response = await callEmulator(emulator, 'GET', `/api/v4/media/${id}/`);
  expect(response.status).toBe(200);
  return response.json as MediaJson;
}

async function listIds(query: string): Promise<string[]> {
  const response = await callEmulator(emulator, 'GET', `/api/v4/media/${query}`);
  expect(response.status).toBe(200);
  return (response.json as MediaJson[]).map((media) => media.id).sort();
}

describe('emulator: GET /api/v4/media/{id}/', () => {
  it('renders option values as NAMES under property_<name>, ids in propertyOptions, text as a string, booleans as 1/0', async () => {
    const a = await getMedia(A);
    expect(a).toMatchObject({
      id: A,
      name: 'Alpha',
      tags: ['spring', 'homepage'],
      isPublic: 0,
      archive: 1,
      limited: 0,
      watermarked: 0,
    });
    expect(a.property_region).toEqual(['emea']);
    expect(a.propertyOptions).toEqual([EMEA]);
    expect(a.property_external_id).toBe('EXT-1');
  });

  it('answers 404 "Media not found" (string statuscode) for an unknown id and for a wrongly formatted one', async () => {
    for (const id of [MISSING, A.toLowerCase(), '../metaproperties']) {
      const response = await callEmulator(emulator, 'GET', `/api/v4/media/${encodeURIComponent(id)}/`);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ message: 'Media not found', statuscode: '404' });
    }
  });

  it('renders booleans as true/false without booleansAsNumbers and text as arrays with textValuesAsArrays', async () => {
    emulator.configure({ booleansAsNumbers: false, textValuesAsArrays: true });
    const a = await getMedia(A);
    emulator.configure({ booleansAsNumbers: true, textValuesAsArrays: false });
    expect(a).toMatchObject({ archive: true, isPublic: false, property_external_id: ['EXT-1'] });
  });

  it('answers linked assets as relatedAssets [{metaPropertyId, metaPropertyName, assets}], not as property_<name>', async () => {
    const b = await getMedia(B);
    expect(b.relatedAssets).toEqual([
      { metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [A, C] },
    ]);
    expect(b).not.toHaveProperty('property_related_assets');
    expect(await getMedia(A)).not.toHaveProperty('relatedAssets');
    // A write sets them as the comma list of ids, as any metaproperty value.
    await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, { form: { [`metaproperty.${RELATED}`]: B } });
    await emulator.settle();
    expect((await getMedia(A)).relatedAssets).toEqual([
      { metaPropertyId: RELATED, metaPropertyName: 'related_assets', assets: [B] },
    ]);
  });
});

describe('emulator: GET /api/v4/media/', () => {
  it('answers ONE object for ?id= (the Java SDK form), and 404 with a string statuscode for an unknown id', async () => {
    const one = await callEmulator(emulator, 'GET', `/api/v4/media/?id=${B}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: B, name: 'Bravo' });
    expect(Array.isArray(one.json)).toBe(false);
    for (const id of [MISSING, `${A},${B}`]) {
      const missing = await callEmulator(emulator, 'GET', `/api/v4/media/?id=${id}`);
      expect([missing.status, missing.json]).toEqual([
        404,
        { message: 'Media not found', statuscode: '404' },
      ]);
    }
  });

  it('answers a JSON array by default, and {total:{count}, media} with total=1', async () => {
    const plain = await callEmulator(emulator, 'GET', '/api/v4/media/');
    expect(Array.isArray(plain.json)).toBe(true);
    const total = await callEmulator(emulator, 'GET', '/api/v4/media/?total=1&limit=1');
    expect(total.json).toMatchObject({ total: { count: 3 } });
    expect((total.json as { media: unknown[] }).media).toHaveLength(1);
    const count = await callEmulator(emulator, 'GET', '/api/v4/media?count=1');
    expect(count.json).toMatchObject({ count: { total: 3 } });
  });

  it('pages with limit and page, in orderBy order', async () => {
    const names: string[] = [];
    for (const page of [1, 2, 3]) {
      const response = await callEmulator(
        emulator,
        'GET',
        `/api/v4/media/?limit=1&page=${page}&orderBy=name%20asc`,
      );
      names.push(...(response.json as MediaJson[]).map((media) => media.name));
    }
    expect(names).toEqual(['Alpha', 'Bravo', 'Charlie']);
  });

  it('filters property_<name> by option name (any case), by option id list (AND), and by exact text', async () => {
    expect(await listIds('?property_region=EMEA')).toEqual([A, B]);
    expect(await listIds(`?property_region=${EMEA},${APAC}`)).toEqual([B]);
    expect(await listIds('?property_external_id=EXT-1')).toEqual([A]);
    expect(await listIds('?property_external_id=EXT')).toEqual([]);
    expect(await listIds('?property_region=emea&property_usage_notes=Internal%20use%20only')).toEqual([B]);
    expect(await listIds('?property_no_such_thing=x')).toEqual([]);
  });

  it('filters by ids and archive', async () => {
    expect(await listIds(`?ids=${A},${C}`)).toEqual([A, C]);
    expect(await listIds('?archive=1')).toEqual([A]);
  });

  it('pages ?ids= like any listing (50 by default, limit up to 1,000) and refuses a URL over 8 KiB with 414', async () => {
    const many = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-${String(i).padStart(16, '0')}`);
    const ids = [A, B, C, ...many].join(',');
    expect(await listIds(`?ids=${ids}&limit=1&page=2`)).toEqual([B]);
    expect(await listIds(`?ids=${ids}&limit=100`)).toHaveLength(3);
    const tooMany = Array.from({ length: 250 }, () => A).join(',');
    expect((await callEmulator(emulator, 'GET', `/api/v4/media/?ids=${tooMany}`)).status).toBe(414);
  });
});

describe('emulator: POST /api/v4/media/{id}/ (modify)', () => {
  it('answers 202 Accepted at once and applies only later (not visible before settle)', async () => {
    emulator.configure({ applyDelayMs: 60_000 });
    const before = await getMedia(A);
    const response = await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      form: { description: 'Homepage banner', [`metaproperty.${REGION}`]: `${APAC},${BENELUX}` },
    });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ message: 'Accepted', statuscode: 202 });
    expect((await getMedia(A)).description).toBe(before.description);
    await emulator.settle();
    emulator.configure({ applyDelayMs: 0 });
    const after = await getMedia(A);
    expect(after.description).toBe('Homepage banner');
    expect(after.property_region).toEqual(['apac', 'benelux']);
    expect(after.dateModified > before.dateModified).toBe(true);
  });

  it('replaces tags and the metaproperty value, accepts option labels, clears on empty, keeps isPublic true', async () => {
    await callEmulator(emulator, 'POST', `/api/v4/media/${B}`, {
      form: {
        tags: 'a,b',
        isPublic: 'true',
        [`metaproperty.${REGION}`]: 'APAC',
        [`metaproperty.${NOTES}`]: '',
      },
    });
    await callEmulator(emulator, 'POST', `/api/v4/media/${B}/`, { form: { isPublic: 'false' } });
    await emulator.settle();
    const b = await getMedia(B);
    expect(b).toMatchObject({ tags: ['a', 'b'], isPublic: 1, property_region: ['apac'] });
    expect(b.property_usage_notes).toBeUndefined();
  });

  it("reads booleans in any case (True, FALSE, 1) as Bynder's C# and Python SDKs send them", async () => {
    await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      form: { archive: 'FALSE', limited: 'True' },
    });
    await callEmulator(emulator, 'POST', `/api/v4/media/${C}/`, {
      form: { isPublic: 'True', archive: 'tRuE' },
    });
    await emulator.settle();
    expect(await getMedia(A)).toMatchObject({ archive: 0, limited: 1 });
    expect(await getMedia(C)).toMatchObject({ isPublic: 1, archive: 1 });
  });

  it("keeps every value of a repeated key (tags=a&tags=b), as Bynder's SDKs send a list", async () => {
    await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      form: { tags: ['a', 'b,c'], [`metaproperty.${REGION}`]: [APAC, BENELUX] },
    });
    await emulator.settle();
    expect(await getMedia(A)).toMatchObject({ tags: ['a', 'b', 'c'], property_region: ['apac', 'benelux'] });
  });

  it('accepts the SDK variant POST /api/v4/media/ with id in the form', async () => {
    const response = await callEmulator(emulator, 'POST', '/api/v4/media/', {
      form: { id: C, name: 'Renamed' },
    });
    expect(response.status).toBe(202);
    await emulator.settle();
    expect((await getMedia(C)).name).toBe('Renamed');
  });

  it('accepts unknown keys, unknown metaproperty ids and JSON bodies with 202 and ignores them (faithful)', async () => {
    const unknownKey = await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      form: {
        property_region: 'apac',
        'metaproperty.00000000-0000-0000-0000000000000000': 'x',
        [`metaproperty.${REGION}`]: 'nope',
      },
    });
    const json = await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      json: { description: 'from json' },
    });
    expect([unknownKey.status, json.status]).toEqual([202, 202]);
    await emulator.settle();
    const a = await getMedia(A);
    expect(a.property_region).toEqual(['emea']);
    expect(a.description).toBe('');
  });

  it('strict mode (emulator-only) rejects unknown keys, metaproperty ids, option ids and JSON bodies with 400', async () => {
    emulator.configure({ strict: true });
    const cases: Array<[Parameters<typeof callEmulator>[3], string]> = [
      [{ form: { property_region: 'apac' } }, 'Invalid metaproperty ID'],
      [{ form: { 'metaproperty.00000000-0000-0000-0000000000000000': 'x' } }, 'Invalid metaproperty ID'],
      [{ form: { [`metaproperty.${REGION}`]: 'nope' } }, 'Invalid metaproperty option id'],
      [{ json: { description: 'x' } }, 'Request body must be form-encoded'],
    ];
    for (const [body, message] of cases) {
      const response = await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, body);
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ message, statuscode: 400 });
    }
    const valid = await callEmulator(emulator, 'POST', `/api/v4/media/${A}/`, {
      form: { [`metaproperty.${REGION}`]: APAC },
    });
    expect(valid.status).toBe(202);
  });

  it('answers 404 "Media not found" for an unknown or deleted asset, without queueing anything', async () => {
    await callEmulator(emulator, 'DELETE', `/api/v4/media/${C}/`);
    for (const id of [MISSING, C]) {
      const response = await callEmulator(emulator, 'POST', `/api/v4/media/${id}/`, { form: { name: 'x' } });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ message: 'Media not found', statuscode: '404' });
    }
  });
});

describe('emulator: DELETE /api/v4/media/{id}/', () => {
  it('answers 204 with an empty body, then 404 with a string statuscode, and moves the asset to the trash', async () => {
    const first = await callEmulator(emulator, 'DELETE', `/api/v4/media/${A}/`);
    expect(first.status).toBe(204);
    expect(first.text).toBe('');
    const second = await callEmulator(emulator, 'DELETE', `/api/v4/media/${A}/`);
    expect(second.status).toBe(404);
    expect(second.json).toEqual({ message: 'Media not found', statuscode: '404' });
    expect(await listIds('')).toEqual([B, C]);
    expect((await callEmulator(emulator, 'GET', `/api/v4/media/${A}/`)).status).toBe(404);
    expect(emulator.snapshot().trash.map((media) => media.id)).toEqual([A]);
  });

  it('accepts the Java SDK variant DELETE /api/v4/media/?id=', async () => {
    expect((await callEmulator(emulator, 'DELETE', `/api/v4/media/?id=${B}`)).status).toBe(204);
    expect((await callEmulator(emulator, 'DELETE', `/api/v4/media/?id=${B}`)).status).toBe(404);
    expect(emulator.requests({ route: 'DELETE /api/v4/media/' }).map((entry) => entry.status)).toEqual([
      204, 404,
    ]);
  });
});

describe('emulator: GET /api/trash/media/', () => {
  it('lists {id, name, dateRemoved, dateCreated, username, userId}, newest removal first', async () => {
    await callEmulator(emulator, 'DELETE', `/api/v4/media/${A}/`);
    await callEmulator(emulator, 'DELETE', `/api/v4/media/${C}/`);
    const trash = await callEmulator(emulator, 'GET', '/api/trash/media/');
    expect(trash.status).toBe(200);
    expect(trash.json).toEqual([
      expect.objectContaining({ id: C, name: 'Charlie', dateCreated: '2020-01-01T00:00:00Z' }),
      {
        id: A,
        name: 'Alpha',
        dateRemoved: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        dateCreated: expect.any(String),
        username: expect.any(String),
        userId: expect.any(String),
      },
    ]);
  });

  it('pages by limit (default 10) and page, and sorts by field and order', async () => {
    const removed = Array.from({ length: 12 }, (_, i) => ({
      id: `7C1D2E3F-4444-4D55-9E66F77A88B9${String(i).padStart(4, '0')}`,
      name: `Removed ${String(i).padStart(2, '0')}`,
      dateRemoved: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
    }));
    emulator.configure({ seed: { ...seed, trash: removed } });
    const page = async (query: string) =>
      (
        (await callEmulator(emulator, 'GET', `/api/trash/media/${query}`)).json as Array<{ name: string }>
      ).map((item) => item.name);
    const first = await page('');
    expect(first).toHaveLength(10);
    expect(first[0]).toBe('Removed 11');
    expect(await page('?page=2')).toEqual(['Removed 01', 'Removed 00']);
    expect(await page('?limit=3&field=media.name&order=asc')).toEqual([
      'Removed 00',
      'Removed 01',
      'Removed 02',
    ]);
  });
});
