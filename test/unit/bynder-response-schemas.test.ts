import { describe, expect, it } from 'vitest';

import {
  mediaListSchema,
  mediaSchema,
  metapropertyListingSchema,
  optionPageSchema,
  tokenResponseSchema,
} from '../../src/lib/bynder/response-schemas';

describe('response schemas: tolerant of Bynder, strict where a wrong shape would mislead', () => {
  it('reads a metaproperty list keyed by a name variant, normalising 1/0 booleans', () => {
    const parsed = metapropertyListingSchema.parse({
      Region: {
        id: 'R',
        name: 'region',
        type: 'select',
        isMultiselect: 1,
        isRequired: '0',
        label: null,
        zindex: '3',
        extra: 'kept',
      },
      Usage_notes: { id: 'U', name: 'usage_notes', type: 'longtext', isMultiselect: false, options: {} },
    });
    const [region, notes] = parsed.metaproperties;
    expect(region).toMatchObject({
      id: 'R',
      name: 'region',
      isMultiselect: true,
      isRequired: false,
      zindex: 3,
      extra: 'kept',
    });
    expect(region?.label).toBeUndefined();
    expect(notes?.options).toEqual([]);
    expect(parsed.skipped).toEqual([]);
  });

  it('reads an empty portal answering [] or {} as an empty listing; a page or string is no listing', () => {
    expect(metapropertyListingSchema.parse([])).toEqual({ metaproperties: [], skipped: [] });
    expect(metapropertyListingSchema.parse({})).toEqual({ metaproperties: [], skipped: [] });
    expect(metapropertyListingSchema.safeParse('<html>login</html>').success).toBe(false);
    expect(metapropertyListingSchema.safeParse(null).success).toBe(false);
  });

  it('reads the published example with true/false booleans and the 1/0 of Bynder clients alike', () => {
    const spelled = (yes: boolean | number, no: boolean | number) => ({
      Colours: {
        id: 'C',
        name: 'colours',
        type: 'select',
        isMultiselect: no,
        isEditable: yes,
        options: [{ id: 'Y', name: 'yellow', isSelectable: yes, active: yes }],
      },
    });
    const asBooleans = metapropertyListingSchema.parse(spelled(true, false)).metaproperties[0];
    const asNumbers = metapropertyListingSchema.parse(spelled(1, 0)).metaproperties[0];
    expect(asNumbers).toEqual(asBooleans);
    expect(asBooleans).toMatchObject({ isMultiselect: false, isEditable: true });
    expect(asBooleans?.options?.[0]).toMatchObject({ isSelectable: true, active: true });
  });

  it('leaves out one unreadable metaproperty, naming it and what is wrong, and keeps the others', () => {
    const parsed = metapropertyListingSchema.parse({
      Region: { id: 'R', name: 'region', type: 'select', options: [{ id: 'A', name: 'emea' }] },
      Blank: { id: 'B', name: '', type: 'text' },
      Untyped: { id: 'T', name: 'untyped' },
      Badoption: {
        id: 'O',
        name: 'badoption',
        type: 'select',
        options: [
          { id: 'O1', name: 'fine' },
          { id: 'O2', label: 'No name' },
        ],
      },
      Nothing: 'not an object',
      Noid: { name: 'noid', type: 'text' },
      Notes: { id: 'N', name: 'notes', type: 'text', zindex: '2', unknownField: [1, 2] },
    });
    expect(parsed.metaproperties.map((mp) => mp.id)).toEqual(['R', 'N']);
    expect(parsed.skipped).toEqual([
      { key: 'Blank', id: 'B', problem: '"name" is empty' },
      { key: 'Untyped', id: 'T', name: 'untyped', problem: '"type" is missing' },
      { key: 'Badoption', id: 'O', name: 'badoption', problem: 'option 2 ("O2"): "name" is missing' },
      { key: 'Nothing', problem: 'the entry is not an object' },
      { key: 'Noid', name: 'noid', problem: '"id" is missing' },
    ]);
  });

  it('reads option pages with nested child options and 1/0 flags, naming options it cannot read', () => {
    const page = optionPageSchema.parse([
      {
        id: 'A',
        name: 'emea',
        active: 1,
        isSelectable: 0,
        date: '2017-02-15T14:54:58+00:00',
        options: [{ id: 'A1', name: 'benelux', active: '1' }],
      },
      { id: 'B', name: 'apac', active: true, zindex: '4' },
      { id: 'C', name: '' },
      { name: 'no id' },
    ]);
    expect(page.options[0]).toMatchObject({ id: 'A', active: true, isSelectable: false });
    expect(page.options[0]?.options?.[0]).toMatchObject({ id: 'A1', active: true });
    expect(page.options[1]).toMatchObject({ id: 'B', active: true, zindex: 4 });
    expect(page.problems).toEqual(['option 3 ("C"): "name" is empty', 'option 4 ("no id"): "id" is missing']);
    expect(optionPageSchema.parse([])).toEqual({ options: [], problems: [] });
    expect(optionPageSchema.safeParse({ options: [] }).success).toBe(false);
  });

  it('reads a media list as an array or inside a {media} wrapper, counting entries without an id', () => {
    const asset = { id: 'M1', name: 'x', property_region: ['emea'], isPublic: 0 };
    expect(mediaListSchema.parse([asset])).toEqual({ media: [asset], withoutId: 0 });
    expect(mediaListSchema.parse({ total: { count: 1 }, media: [asset] }).media).toEqual([asset]);
    expect(mediaListSchema.parse([])).toEqual({ media: [], withoutId: 0 });
    expect(mediaListSchema.safeParse({ count: 1 }).success).toBe(false);
    expect(mediaListSchema.parse([{ name: 'no id' }, asset, 'junk'])).toEqual({
      media: [asset],
      withoutId: 2,
    });
  });

  it('hands on optional fields absent, extra fields, numbers as strings as Bynder sent them', () => {
    const sparse = { id: 'M2' };
    const odd = { id: 'M3', fileSize: '1024', property_notes: ['one'], brandNew: { nested: true } };
    expect(mediaListSchema.parse([sparse, odd]).media).toEqual([sparse, odd]);
  });

  it('requires an id on one asset', () => {
    expect(mediaSchema.parse({ id: 'M1', property_notes: 'text' })).toEqual({
      id: 'M1',
      property_notes: 'text',
    });
    expect(mediaSchema.safeParse({ message: 'ok' }).success).toBe(false);
  });

  it('reads a token answer, defaulting the lifetime to an hour', () => {
    expect(
      tokenResponseSchema.parse({
        access_token: 'issued-access-token-1b8e4c',
        token_type: 'bearer',
        expires_in: 60,
      }),
    ).toEqual({
      accessToken: 'issued-access-token-1b8e4c',
      expiresInSeconds: 60,
    });
    expect(
      tokenResponseSchema.parse({ access_token: 'issued-access-token-1b8e4c', expires_in: '120' })
        .expiresInSeconds,
    ).toBe(120);
    expect(tokenResponseSchema.parse({ access_token: 'issued-access-token-1b8e4c' }).expiresInSeconds).toBe(
      3600,
    );
    expect(tokenResponseSchema.safeParse({ token_type: 'bearer' }).success).toBe(false);
  });
});
