import { describe, expect, it } from 'vitest';

import { callEmulator, useEmulator } from '../helpers/use-emulator';

// Bodies and statuses as Bynder documents them: https://api.bynder.com/reference/get_api-v4-metaproperties.
interface Option {
  id: string;
  name: string;
  label?: string;
  mediaCount?: number;
  options?: Option[];
}
interface Metaproperty {
  id: string;
  name: string;
  label?: string;
  type: string;
  options?: Option[];
}

const emulator = useEmulator({ seed: 'demo-portal', rateLimit: false });

async function listMetaproperties(query = ''): Promise<Record<string, Metaproperty>> {
  const response = await callEmulator(emulator, 'GET', `/api/v4/metaproperties/${query}`);
  expect(response.status).toBe(200);
  return response.json as Record<string, Metaproperty>;
}

async function metapropertyNamed(name: string): Promise<Metaproperty> {
  const found = Object.values(await listMetaproperties('?options=0')).find((mp) => mp.name === name);
  if (!found) throw new Error(`demo portal lacks ${name}`);
  return found;
}

describe('emulator: GET /api/v4/metaproperties/', () => {
  it('answers an object keyed by name (key case differs from name), options included by default', async () => {
    const body = await listMetaproperties();
    expect(Array.isArray(body)).toBe(false);
    expect(body.Campaign_name).toMatchObject({ name: 'campaign_name', label: 'Campaign', type: 'select' });
    expect(body.Campaign_name?.options?.length).toBeGreaterThan(0);
    expect(Object.keys(body).length).toBeGreaterThanOrEqual(12);
    const types = new Set(Object.values(body).map((mp) => mp.type));
    for (const type of ['select', 'select2', 'autocomplete', 'text', 'longtext', 'date', 'linked_assets']) {
      expect(types).toContain(type);
    }
  });

  it('leaves options out for options=0 and options=false, and answers without the trailing slash', async () => {
    for (const query of ['?options=0', '?options=false']) {
      const body = await listMetaproperties(query);
      expect(Object.values(body).every((mp) => mp.options === undefined)).toBe(true);
    }
    const noSlash = await callEmulator(emulator, 'GET', '/api/v4/metaproperties?options=0');
    expect(noSlash.status).toBe(200);
  });

  it("answers metaproperty and option flags as 1/0, as Bynder's payloads do, and true/false on request", async () => {
    const region = (await listMetaproperties()).Region as unknown as Record<string, unknown> & {
      options: Array<Record<string, unknown>>;
    };
    expect(region).toMatchObject({ isMultiselect: 1, isRequired: 0, isEditable: 1, isFilterable: 1 });
    expect(region.options[0]).toMatchObject({ isSelectable: 1, active: 1 });
    const one = await callEmulator(
      emulator,
      'GET',
      `/api/v4/metaproperties/${String(region.id)}/options/?limit=1`,
    );
    expect((one.json as Array<Record<string, unknown>>)[0]).toMatchObject({ isSelectable: 1, active: 1 });
    emulator.configure({ booleansAsNumbers: false });
    const asJson = (await listMetaproperties('?options=0')).Region;
    emulator.configure({ booleansAsNumbers: true });
    expect(asJson).toMatchObject({ isMultiselect: true, isRequired: false });
  });

  it('adds mediaCount to every option with count=1', async () => {
    const body = await listMetaproperties('?count=1');
    const options = body.Campaign_name?.options ?? [];
    expect(options.every((option) => typeof option.mediaCount === 'number')).toBe(true);
    expect(options.reduce((sum, option) => sum + (option.mediaCount ?? 0), 0)).toBeGreaterThan(0);
  });

  it('keeps the keyed shape for ids=a,b and returns only those', async () => {
    const region = await metapropertyNamed('region');
    const notes = await metapropertyNamed('usage_notes');
    const body = await listMetaproperties(`?ids=${region.id},${notes.id}`);
    expect(Object.keys(body).sort()).toEqual(['Region', 'Usage_notes']);
  });
});

describe('emulator: GET /api/v4/metaproperties/{id}/', () => {
  it('answers one metaproperty, not keyed, with nested child options kept in their parent', async () => {
    const region = await metapropertyNamed('region');
    const response = await callEmulator(emulator, 'GET', `/api/v4/metaproperties/${region.id}/`);
    expect(response.status).toBe(200);
    const body = response.json as Metaproperty;
    expect(body.id).toBe(region.id);
    const emea = body.options?.find((option) => option.name === 'emea');
    expect(emea?.options?.map((child) => child.name)).toContain('benelux');
  });

  it('answers 404 "Metaproperty not found" with a numeric statuscode for an unknown id', async () => {
    const response = await callEmulator(
      emulator,
      'GET',
      '/api/v4/metaproperties/00000000-0000-0000-0000000000000000/',
    );
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ message: 'Metaproperty not found', statuscode: 404 });
  });
});

describe('emulator: GET /api/v4/metaproperties/{id}/options/', () => {
  it('pages the 2,000+ option list: default 50, at most 1,000 a page, every option exactly once', async () => {
    const sku = await metapropertyNamed('product_sku');
    const first = await callEmulator(emulator, 'GET', `/api/v4/metaproperties/${sku.id}/options/`);
    expect((first.json as Option[]).length).toBe(50);
    const seen: string[] = [];
    for (let page = 1; ; page += 1) {
      const response = await callEmulator(
        emulator,
        'GET',
        `/api/v4/metaproperties/${sku.id}/options/?limit=1000&page=${page}`,
      );
      const options = response.json as Option[];
      seen.push(...options.map((option) => option.id));
      if (options.length < 1000) break;
    }
    expect(seen.length).toBeGreaterThanOrEqual(2000);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('clamps a limit over 1,000 to 1,000 (real behaviour undocumented)', async () => {
    const sku = await metapropertyNamed('product_sku');
    const response = await callEmulator(
      emulator,
      'GET',
      `/api/v4/metaproperties/${sku.id}/options?limit=5000`,
    );
    expect((response.json as Option[]).length).toBe(1000);
  });

  it('filters by name', async () => {
    const campaign = await metapropertyNamed('campaign_name');
    const response = await callEmulator(
      emulator,
      'GET',
      `/api/v4/metaproperties/${campaign.id}/options/?name=spring_sale`,
    );
    const names = (response.json as Option[]).map((option) => option.name);
    expect(names).toEqual(['spring_sale_2024', 'spring_sale_2025']);
  });

  it('answers 400 "Invalid metaproperty ID" with a string statuscode for an unknown id', async () => {
    const response = await callEmulator(
      emulator,
      'GET',
      '/api/v4/metaproperties/00000000-0000-0000-0000000000000000/options/',
    );
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ message: 'Invalid metaproperty ID', statuscode: '400' });
  });
});

describe('emulator: GET /api/v4/metaproperties/options/?ids=', () => {
  it('answers the options for the ids, nested ones included', async () => {
    const region = await metapropertyNamed('region');
    const full = (await listMetaproperties(`?ids=${region.id}`)).Region!;
    const emea = full.options!.find((option) => option.name === 'emea')!;
    const benelux = emea.options!.find((option) => option.name === 'benelux')!;
    const response = await callEmulator(
      emulator,
      'GET',
      `/api/v4/metaproperties/options/?ids=${emea.id},${benelux.id}`,
    );
    expect(response.status).toBe(200);
    expect((response.json as Option[]).map((option) => option.name)).toEqual(['emea', 'benelux']);
  });

  it('answers 400 for no ids and for an unknown id', async () => {
    expect((await callEmulator(emulator, 'GET', '/api/v4/metaproperties/options/')).json).toEqual({
      message: 'No data sent',
      statuscode: '400',
    });
    const unknown = await callEmulator(emulator, 'GET', '/api/v4/metaproperties/options/?ids=NOPE');
    expect(unknown.status).toBe(400);
  });
});
