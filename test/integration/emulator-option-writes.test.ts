import { beforeEach, describe, expect, it } from 'vitest';

import { assetId, APAC, EMEA, portalSeed, REGION } from '../helpers/deliver-fixture';
import { callEmulator, useEmulator } from '../helpers/use-emulator';

// The emulator's option writes: creating a metaproperty option (it needs METAPROPERTYMANAGEMENT or
// METAMANAGEMENT) and adding or removing one asset's options, each with the faults every route has.

const ADMIN = 'option-writes-admin-token-3c1e';
const EDITOR = 'option-writes-editor-token-8a4d';
const READER = 'option-writes-reader-token-5b7f';
const emulator = useEmulator({
  tokens: [{ token: ADMIN }, { token: EDITOR, roles: ['MEDIAEDIT'] }, { token: READER, roles: [] }],
  applyDelayMs: 0,
});
const CREATE = `/api/v4/metaproperties/${REGION}/options/`;
const create = (name: string, token = ADMIN) =>
  callEmulator(emulator, 'POST', CREATE, { token, form: { data: JSON.stringify({ name, label: name }) } });
const regionOf = (id: string) => emulator.snapshot().assets.find((a) => a.id === id)?.property_region;

beforeEach(() => {
  const seed = portalSeed();
  seed.assets[0] = { ...seed.assets[0]!, property_region: ['emea'] };
  emulator.seed(seed);
  emulator.faults.clear();
});

describe('emulator: creating an option', () => {
  it('creates it with METAPROPERTYMANAGEMENT, lists it and accepts it on modify', async () => {
    const created = await create('latam');
    expect(created.status).toBe(201);
    const { id } = created.json as { id: string };
    expect(created.json).toEqual({ message: 'Created', statuscode: 201, id });
    const listed = await callEmulator(emulator, 'GET', `/api/v4/metaproperties/${REGION}/options/`, {
      token: ADMIN,
    });
    expect((listed.json as Array<{ name: string }>).map((option) => option.name)).toContain('latam');
    const modify = await callEmulator(emulator, 'POST', `/api/v4/media/${assetId(2)}/`, {
      token: ADMIN,
      form: { [`metaproperty.${REGION}`]: id },
    });
    expect(modify.status).toBe(202);
    await emulator.settle();
    expect(regionOf(assetId(2))).toEqual(['latam']);
  });

  it('answers a taken name, in any case, with 400 and the option that has it', async () => {
    const again = await create('EMEA');
    expect(again.status).toBe(400);
    expect(again.json).toEqual({
      message: 'Meta property option with this name already exists',
      existingUUID: EMEA,
      statuscode: '400',
    });
  });

  it('refuses a user without the role, an empty name and an unknown metaproperty', async () => {
    expect((await create('latam', EDITOR)).status).toBe(403);
    expect((await create('  ')).json).toMatchObject({ message: 'Meta property option name is required' });
    const none = await callEmulator(emulator, 'POST', CREATE, { token: ADMIN, form: {} });
    expect(none.json).toEqual({ message: 'No data sent', statuscode: '400' });
    const unknown = await callEmulator(emulator, 'POST', '/api/v4/metaproperties/NOPE/options/', {
      token: ADMIN,
      form: { data: '{"name":"x"}' },
    });
    expect(unknown.status).toBe(404);
  });

  it('takes the faults of any route', async () => {
    emulator.faults.add({ match: 'POST /api/v4/metaproperties/:id/options/', status: 503, times: 1 });
    expect((await create('latam')).status).toBe(503);
    expect((await create('latam')).status).toBe(201);
  });
});

describe("emulator: adding and removing one asset's options", () => {
  const change = (method: 'POST' | 'DELETE', ids: string[], token = EDITOR, asset = assetId(1)) =>
    callEmulator(emulator, method, '/api/media/options', {
      token,
      json: { asset_id: asset, metaproperty_id: REGION, metaproperty_option_ids: ids },
    });

  it('adds an option beside those the asset holds, and removes one leaving the rest', async () => {
    const added = await change('POST', [APAC]);
    expect(added.status).toBe(201);
    expect(added.json).toEqual({ message: 'Created', statuscode: 201 });
    expect(regionOf(assetId(1))).toEqual(['emea', 'apac']);
    const removed = await change('DELETE', [EMEA]);
    expect(removed.status).toBe(204);
    expect(regionOf(assetId(1))).toEqual(['apac']);
  });

  it('answers 404 for an unknown asset or an option of another metaproperty, 403 without MEDIAEDIT', async () => {
    expect((await change('POST', [APAC], EDITOR, assetId(99))).status).toBe(404);
    expect((await change('POST', ['NOT-AN-OPTION'])).status).toBe(404);
    expect((await change('POST', [APAC], READER)).status).toBe(403);
    expect(regionOf(assetId(1))).toEqual(['emea']);
  });

  it('takes the faults of any route', async () => {
    emulator.faults.add({ match: 'DELETE /api/media/options', status: 429, times: 1 });
    expect((await change('DELETE', [EMEA])).status).toBe(429);
    expect(regionOf(assetId(1))).toEqual(['emea']);
  });
});
