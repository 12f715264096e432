import { describe, expect, it } from 'vitest';

import {
  mediaListSchema,
  mediaSchema,
  metapropertyListSchema,
  optionPageSchema,
  tokenResponseSchema,
} from '../../src/lib/bynder/response-schemas';

describe('response schemas: tolerant of Bynder, strict where a wrong shape would mislead', () => {
  it('reads a metaproperty list keyed by a name variant, normalising 1/0 booleans', () => {
    const parsed = metapropertyListSchema.parse({
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
    expect(parsed.Region).toMatchObject({
      id: 'R',
      name: 'region',
      isMultiselect: true,
      isRequired: false,
      zindex: 3,
      extra: 'kept',
    });
    expect(parsed.Region?.label).toBeUndefined();
    expect(parsed.Usage_notes?.options).toEqual([]);
  });

  it('refuses an array or a metaproperty without an id where a keyed object is expected', () => {
    expect(metapropertyListSchema.safeParse([{ id: 'R', name: 'region', type: 'select' }]).success).toBe(
      false,
    );
    expect(metapropertyListSchema.safeParse({ Region: { name: 'region', type: 'select' } }).success).toBe(
      false,
    );
    expect(metapropertyListSchema.safeParse('<html>login</html>').success).toBe(false);
  });

  it('reads option pages with nested child options and 1/0 flags', () => {
    const page = optionPageSchema.parse([
      {
        id: 'A',
        name: 'emea',
        active: 1,
        isSelectable: 0,
        options: [{ id: 'A1', name: 'benelux', active: '1' }],
      },
    ]);
    expect(page[0]).toMatchObject({ id: 'A', active: true, isSelectable: false });
    expect(page[0]?.options?.[0]).toMatchObject({ id: 'A1', active: true });
    expect(optionPageSchema.safeParse([{ name: 'no id' }]).success).toBe(false);
    expect(optionPageSchema.safeParse({ options: [] }).success).toBe(false);
  });

  it('reads a media list as an array or inside a {media} wrapper', () => {
    const asset = { id: 'M1', name: 'x', property_region: ['emea'], isPublic: 0 };
    expect(mediaListSchema.parse([asset])).toEqual([asset]);
    expect(mediaListSchema.parse({ total: { count: 1 }, media: [asset] })).toEqual([asset]);
    expect(mediaListSchema.safeParse({ count: 1 }).success).toBe(false);
    expect(mediaListSchema.safeParse([{ name: 'no id' }]).success).toBe(false);
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
