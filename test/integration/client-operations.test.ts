import { describe, expect, it } from 'vitest';

import { BynderClient, type ResponseInfo } from '../../src/lib/bynder/BynderClient';
import { BynderNotFoundError } from '../../src/lib/bynder/errors';
import { captureFailure } from '../helpers/capture-failure';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';

// Every BynderApi operation, with a permanent token, against the emulator seeded with the demo
// portal. Assertions are on what the emulator received (request log) and holds (snapshot).

const TOKEN = 'ops-permanent-token-8c41f0';
const emulator = useEmulator({ seed: 'examples/portal.json', tokens: [{ token: TOKEN }], applyDelayMs: 0 });

/** Ids and values come from the seed as loaded, so the demo portal can be regenerated. */
let seedFacts: ReturnType<typeof readSeed> | undefined;
const seeded = () => (seedFacts ??= readSeed());
function readSeed() {
  const state = emulator.snapshot();
  const idOf = (name: string): string => {
    const found = Object.values(state.metaproperties).find((m) => m.name === name);
    if (!found) throw new Error(`demo portal lacks metaproperty ${name}`);
    return found.id;
  };
  const asset = state.assets.find((a) => typeof a.property_external_id === 'string');
  if (!asset) throw new Error('demo portal lacks an asset with an external_id');
  return {
    asset,
    externalId: asset.property_external_id as string,
    productSku: idOf('product_sku'),
    region: idOf('region'),
    usageNotes: idOf('usage_notes'),
  };
}

// Everything the client says, to show that the token never appears in it.
const said: string[] = [];
const responses: ResponseInfo[] = [];
function client(): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token: TOKEN },
    logger: recordingLogger(said),
    onResponse: (info) => responses.push(info),
  });
}
const failureOf = (promise: Promise<unknown>): Promise<Error> => captureFailure(promise, said);

describe('BynderClient operations against the emulator', () => {
  it('testConnection makes exactly one request, the metaproperty list without options', async () => {
    emulator.clearRequests();
    await client().testConnection();
    expect(emulator.requests().map((r) => [r.route, r.status])).toEqual([
      ['GET /api/v4/metaproperties/', 200],
    ]);
  });

  it('listMetaproperties returns every metaproperty with all its options, paging only the 2,400-option list', async () => {
    emulator.clearRequests();
    const { metaproperties } = await client().listMetaproperties();
    const { productSku, region, usageNotes } = seeded();
    const inSeed = Object.values(emulator.snapshot().metaproperties);
    expect(metaproperties.map((m) => m.id).sort()).toEqual(inSeed.map((m) => m.id).sort());
    for (const metaproperty of metaproperties) {
      const seededOptions = inSeed.find((m) => m.id === metaproperty.id)?.options ?? [];
      expect(metaproperty.options?.map((o) => o.id) ?? []).toEqual(seededOptions.map((o) => o.id));
    }

    const sku = metaproperties.find((m) => m.id === productSku);
    expect(sku?.name).toBe('product_sku');
    expect(sku?.options).toHaveLength(2400);
    expect(new Set(sku?.options?.map((o) => o.id)).size).toBe(2400);
    expect(metaproperties.find((m) => m.id === region)?.options?.length).toBeGreaterThan(1);
    expect(metaproperties.find((m) => m.id === usageNotes)?.options ?? []).toEqual([]);

    const log = emulator.requests();
    expect(log.filter((r) => r.route === 'GET /api/v4/metaproperties/')).toHaveLength(1);
    // Embedded lists under 1,000 options are taken as complete; only the 2,400-option list is paged:
    // 1,000 + 1,000 + 400, three pages, the last one short.
    expect(
      log.filter((r) => r.route === 'GET /api/v4/metaproperties/:id/options/').map((r) => r.path),
    ).toEqual(Array(3).fill(`/api/v4/metaproperties/${productSku}/options/`));
    expect(log.every((r) => r.status === 200)).toBe(true);
  });

  it('getMedia returns the asset, and a 404 for an unknown id', async () => {
    const { asset: stored } = seeded();
    const asset = await client().getMedia(stored.id);
    expect(asset).toMatchObject({
      id: stored.id,
      name: stored.name,
      property_external_id: stored.property_external_id,
    });
    const error = await failureOf(client().getMedia('00000000-0000-0000-0000000000000000'));
    expect(error).toBeInstanceOf(BynderNotFoundError);
    expect(error.message).toContain('Bynder GET /api/v4/media/{id}/ failed with 404: Media not found');
  });

  it('findMediaByProperty matches a text metaproperty value, limit 2 by default', async () => {
    emulator.clearRequests();
    const { asset, externalId } = seeded();
    const found = await client().findMediaByProperty('external_id', externalId);
    expect(found.map((m) => m.id)).toEqual([asset.id]);
    expect(await client().findMediaByProperty('external_id', 'no-such-key')).toEqual([]);
    expect(await client().findMediaByProperty('region', 'emea', 5)).toHaveLength(5);
    expect(emulator.requests().map((r) => r.route)).toEqual(Array(3).fill('GET /api/v4/media/'));
  });

  it('findMediaByProperty pages on with page=n', async () => {
    const firstTwo = await client().findMediaByProperty('region', 'emea', 2);
    const nextTwo = await client().findMediaByProperty('region', 'emea', 2, 2);
    expect(nextTwo).toHaveLength(2);
    expect(nextTwo.map((m) => m.id)).not.toContain(firstTwo[0]?.id);
  });

  it('listMediaByIds reads the existing assets among the ids, 100 ids a request', async () => {
    const ids = emulator
      .snapshot()
      .assets.slice(0, 150)
      .map((asset) => asset.id);
    expect(ids).toHaveLength(150);
    emulator.clearRequests();
    const found = await client().listMediaByIds([...ids, '00000000-0000-0000-0000000000000000']);
    expect(found.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(emulator.requests('GET /api/v4/media/')).toHaveLength(2);
    expect(await client().listMediaByIds([])).toEqual([]);
  });

  it('updateMedia sends a form that Bynder applies: text, options and built-in fields', async () => {
    const { asset, region, usageNotes } = seeded();
    const options =
      (await client().listMetaproperties()).metaproperties.find((m) => m.id === region)?.options ?? [];
    const [first, second] = options;
    if (!first || !second) throw new Error('demo portal region needs two options');
    emulator.clearRequests();
    await client().updateMedia(asset.id, {
      description: 'Updated by the contract test & more',
      tags: 'contract,test',
      [`metaproperty.${region}`]: `${first.id},${second.id}`,
      [`metaproperty.${usageNotes}`]: 'Internal use only',
    });
    expect(emulator.requests().map((r) => [r.route, r.status])).toEqual([['POST /api/v4/media/:id/', 202]]);
    await emulator.settle();
    const stored = emulator.snapshot().assets.find((a) => a.id === asset.id);
    expect(stored).toMatchObject({
      description: 'Updated by the contract test & more',
      tags: ['contract', 'test'],
      property_usage_notes: 'Internal use only',
    });
    expect([...((stored?.property_region as string[] | undefined) ?? [])].sort()).toEqual(
      [first.name, second.name].sort(),
    );
  });

  it('updateMedia on an unknown asset is a BynderNotFoundError', async () => {
    const error = await failureOf(client().updateMedia('00000000-0000-0000-0000000000000000', { name: 'x' }));
    expect(error).toBeInstanceOf(BynderNotFoundError);
    expect(error.message).toContain('POST /api/v4/media/{id}/ failed with 404');
  });

  it('deleteMedia moves the asset to the trash, then reports it gone as a BynderNotFoundError', async () => {
    const id = emulator.snapshot().assets[5]?.id ?? '';
    emulator.clearRequests();
    await expect(client().deleteMedia(id)).resolves.toBeUndefined();
    expect(await failureOf(client().deleteMedia(id))).toBeInstanceOf(BynderNotFoundError);
    expect(emulator.requests().map((r) => [r.route, r.status])).toEqual([
      ['DELETE /api/v4/media/:id/', 204],
      ['DELETE /api/v4/media/:id/', 404],
    ]);
    const state = emulator.snapshot();
    expect(state.assets.some((a) => a.id === id)).toBe(false);
    expect(state.trash.some((a) => a.id === id)).toBe(true);
  });

  it.each(['../x', '../../v6/authentication/oauth2/token', 'a?b', 'a#b', 'a/b'])(
    'sends the id %j as one segment of the media route',
    async (id) => {
      emulator.clearRequests();
      expect(await failureOf(client().getMedia(id))).toBeInstanceOf(BynderNotFoundError);
      expect(await failureOf(client().deleteMedia(id))).toBeInstanceOf(BynderNotFoundError);
      const log = emulator.requests();
      expect(log.map((r) => r.route)).toEqual(['GET /api/v4/media/:id/', 'DELETE /api/v4/media/:id/']);
      for (const entry of log) expect(entry.path).toBe(`/api/v4/media/${encodeURIComponent(id)}/`);
    },
  );

  it('sends nothing for ids a URL would resolve away (".", "..", ""), and treats them as not found', async () => {
    emulator.clearRequests();
    for (const id of ['.', '..', '']) {
      expect(await failureOf(client().getMedia(id))).toBeInstanceOf(BynderNotFoundError);
      expect(await failureOf(client().updateMedia(id, { name: 'x' }))).toBeInstanceOf(BynderNotFoundError);
      expect(await failureOf(client().deleteMedia(id))).toBeInstanceOf(BynderNotFoundError);
    }
    expect(emulator.requests()).toEqual([]);
  });

  it('reports every attempt to onResponse with the route template', () => {
    expect(responses.length).toBeGreaterThan(10);
    expect(new Set(responses.map((r) => r.route))).toEqual(
      new Set([
        'GET /api/v4/metaproperties/',
        'GET /api/v4/metaproperties/{id}/options/',
        'GET /api/v4/media/{id}/',
        'GET /api/v4/media/',
        'POST /api/v4/media/{id}/',
        'DELETE /api/v4/media/{id}/',
      ]),
    );
  });
});

describe('redaction', () => {
  // Redaction across this file: every log line and every error rendering.
  // Runs last in this file, over everything the tests above made the client say.
  it('never shows a secret in a log line, an error message, its JSON or its inspection', () => {
    expect(said.length).toBeGreaterThan(0);
    for (const text of said) expect(text).not.toContain(TOKEN);
  });
});
