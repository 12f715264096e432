import { describe, expect, it } from 'vitest';

import type { Field } from '../../src/lib/fields/field';
import { buildStandardFields } from '../../src/lib/fields/standard-fields';

const LEAVE = { emptyValues: 'leave', unknownOptions: 'reject' } as const;
const CLEAR = { emptyValues: 'clear', unknownOptions: 'reject' } as const;

const fields = new Map(buildStandardFields({ kind: 'asset_id' }).map((f) => [f.name, f]));
const get = (name: string): Field => {
  const field = fields.get(name);
  if (!field) throw new Error(`no standard field ${name}`);
  return field;
};

describe('standard fields', () => {
  it('are asset_id (primary) then the asset properties, in a fixed order', () => {
    expect([...fields.keys()]).toEqual([
      'asset_id',
      'name',
      'description',
      'copyright',
      'tags',
      'archive',
      'is_public',
      'limited',
      'date_published',
      'archive_date',
      'limited_date',
      'watermark_date',
      'brand_id',
    ]);
    expect(get('asset_id')).toMatchObject({
      primary: true,
      formKey: undefined,
      target: { kind: 'asset_id' },
    });
    expect(get('is_public')).toMatchObject({ type: 'boolean', formKey: 'isPublic' });
    expect(get('date_published').formKey).toBe('datePublished');
  });

  it('leave out asset_id in external-key mode', () => {
    const names = buildStandardFields({ kind: 'external_key', metaproperty: 'sku' }).map((f) => f.name);
    expect(names).not.toContain('asset_id');
    expect(names).toHaveLength(12);
  });

  it('refuse an empty or malformed asset id whatever the policy', () => {
    expect(get('asset_id').toWrite('', CLEAR)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('needs the Bynder asset id'),
    });
    expect(get('asset_id').toWrite('../media', LEAVE)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('not a Bynder asset id'),
    });
    expect(get('asset_id').toWrite(' 7C1D2E3F-4444 ', LEAVE)).toEqual({
      kind: 'set',
      formValue: '7C1D2E3F-4444',
      warnings: [],
    });
  });

  it('write an asset id in upper case, as Bynder spells its ids, so one asset has one key', () => {
    expect(get('asset_id').toWrite('7c1d2e3f-4444-4d55-9e66f77a88b99c00', LEAVE)).toEqual({
      kind: 'set',
      formValue: '7C1D2E3F-4444-4D55-9E66F77A88B99C00',
      warnings: [],
    });
  });
});

describe('boolean fields: lossless coercion only', () => {
  it.each([
    [true, 'true'],
    ['true', 'true'],
    [' TRUE ', 'true'],
    ['1', 'true'],
    [1, 'true'],
    [false, 'false'],
    ['false', 'false'],
    ['0', 'false'],
    [0, 'false'],
  ])('%j → %j', (value, formValue) => {
    expect(get('archive').toWrite(value, LEAVE)).toEqual({ kind: 'set', formValue, warnings: [] });
  });

  it.each(['yes', 'no', 'on', 2, 'truthy'])('rejects %j', (value) => {
    expect(get('limited').toWrite(value, LEAVE)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('is not true or false'),
    });
  });

  it('never clears a boolean: Bynder has no "unset"', () => {
    expect(get('archive').toWrite('', CLEAR)).toEqual({ kind: 'leave' });
  });
});

describe('text, tags and dates', () => {
  it('tags: a comma list or a list → a,b (trimmed, no empties or repeats)', () => {
    expect(get('tags').toWrite(' spring, homepage,,spring ', LEAVE)).toEqual({
      kind: 'set',
      formValue: 'spring,homepage',
      warnings: [],
    });
    expect(get('tags').toWrite(['spring', ' homepage '], LEAVE)).toEqual({
      kind: 'set',
      formValue: 'spring,homepage',
      warnings: [],
    });
    expect(get('tags').toWrite(['a,b'], LEAVE)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('comma'),
    });
  });

  it('tags: only commas is empty, so the policy applies', () => {
    expect(get('tags').toWrite(' , ', CLEAR)).toEqual({ kind: 'clear' });
    expect(get('tags').toWrite([], LEAVE)).toEqual({ kind: 'leave' });
  });

  it('name is never cleared (Bynder would leave the asset nameless)', () => {
    expect(get('name').toWrite('  ', CLEAR)).toEqual({ kind: 'leave' });
    expect(get('name').toWrite(' Banner ', CLEAR)).toEqual({
      kind: 'set',
      formValue: 'Banner',
      warnings: [],
    });
  });

  it('description: at most 100,000 characters are sent; a longer value is rejected, never cut', () => {
    expect(get('description').toWrite('x'.repeat(100_000), LEAVE)).toMatchObject({ kind: 'set' });
    expect(get('description').toWrite('x'.repeat(100_001), LEAVE)).toEqual({
      kind: 'invalid',
      problem: 'is 100,001 characters long; this destination sends at most 100,000',
    });
  });

  it('description is cleared under clear', () => {
    expect(get('description').toWrite(null, CLEAR)).toEqual({ kind: 'clear' });
  });

  it('date_published: written in UTC as yyyy-mm-ddThh:mm:ssZ, other formats rejected', () => {
    expect(get('date_published').toWrite('2026-03-01T09:30:00Z', LEAVE)).toEqual({
      kind: 'set',
      formValue: '2026-03-01T09:30:00Z',
      warnings: [],
    });
    expect(get('date_published').toWrite('2026-03-02', LEAVE)).toEqual({
      kind: 'set',
      formValue: '2026-03-02T00:00:00Z',
      warnings: [],
    });
    expect(get('date_published').toWrite('2026-03-02T09:30:00+01:00', LEAVE)).toMatchObject({
      formValue: '2026-03-02T08:30:00Z',
    });
    expect(get('date_published').toWrite('2026-03-02T09:30:00', LEAVE)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/has no time zone/),
    });
    expect(get('date_published').toWrite('March 1, 2026', LEAVE).kind).toBe('invalid');
    expect(get('date_published').description).toMatch(/^Date published: date, sent to Bynder in UTC: /);
  });

  it.each([
    ['archive_date', 'archiveDate'],
    ['limited_date', 'limitedDate'],
    ['watermark_date', 'watermarkDate'],
  ])('%s: a date written to %s in UTC, cleared under clear, compared with the read', (name, property) => {
    const field = get(name);
    expect(field.formKey).toBe(property);
    expect(field.target).toEqual({ kind: 'standard', property });
    expect(field.toWrite('2026-03-02', LEAVE)).toEqual({
      kind: 'set',
      formValue: '2026-03-02T00:00:00Z',
      warnings: [],
    });
    expect(field.toWrite('02/03/2026', LEAVE).kind).toBe('invalid');
    expect(field.toWrite('', CLEAR)).toEqual({ kind: 'clear' });
    expect(field.holds({ id: 'A', [property]: '2026-03-02T00:00:00Z' }, '2026-03-02T00:00:00Z')).toBe(
      'holds',
    );
    expect(field.holds({ id: 'A', [property]: '2026-03-03T00:00:00Z' }, '2026-03-02T00:00:00Z')).toBe(
      'differs',
    );
  });

  it('brand_id: an id in upper case, never cleared, compared regardless of case', () => {
    const field = get('brand_id');
    expect(field.formKey).toBe('brandId');
    expect(field.toWrite(' 4f5e-aa ', LEAVE)).toEqual({ kind: 'set', formValue: '4F5E-AA', warnings: [] });
    expect(field.toWrite('', CLEAR)).toEqual({ kind: 'leave' });
    expect(field.toWrite('../brands', LEAVE)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/^is not a Bynder brand id/),
    });
    expect(field.holds({ id: 'A', brandId: '4f5e-aa' }, '4F5E-AA')).toBe('holds');
    expect(field.holds({ id: 'A', brandId: 'OTHER' }, '4F5E-AA')).toBe('differs');
    expect(field.holds({ id: 'A' }, '4F5E-AA')).toBe('unknown');
  });
});
