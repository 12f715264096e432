import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { metapropertySchema } from '../../src/lib/bynder/response-schemas';
import { fieldFromMetaproperty, leftOutReason } from '../../src/lib/fields/field-from-metaproperty';

const REJECT = { emptyValues: 'leave', unknownOptions: 'reject' } as const;
const CLEAR = { emptyValues: 'clear', unknownOptions: 'reject' } as const;

/** A metaproperty as the client reads it from Bynder's answer (1/0 flags become booleans there). */
type Answered = Record<string, unknown> & Pick<Metaproperty, 'type'>;
function mp(patch: Answered): Metaproperty {
  return metapropertySchema.parse({
    id: 'MP-1',
    name: 'usage_notes',
    label: 'Usage notes',
    isEditable: true,
    ...patch,
  });
}
function field(patch: Answered, primary = false) {
  const result = fieldFromMetaproperty(mp(patch), {
    name: 'usage_notes',
    displayName: 'Usage notes',
    primary,
  });
  if (!result) throw new Error(`no field for type ${patch.type}`);
  return result;
}
const options = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `OPT-${i + 1}`,
    name: `opt_${i + 1}`,
    label: `Option ${i + 1}`,
  }));

describe('fieldFromMetaproperty: one row per Bynder type', () => {
  it.each([
    ['select', 'string', 'single select, 3 options; an option name or label'],
    ['select2', 'string', 'single select, 3 options; an option name or label'],
    ['autocomplete', 'string', 'single select, 3 options; an option name or label'],
    ['text', 'string', 'text, up to 2,500 characters'],
    ['longtext', 'string', 'long text'],
    [
      'date',
      'string',
      'date, sent to Bynder in UTC: a date (2026-03-01, taken as midnight UTC) or a date-time with Z or an offset (2026-03-01T10:00:00Z, 2026-03-01T10:00:00+01:00); a date-time without an offset is rejected',
    ],
  ])('%s → OCP %s, described as "%s"', (type, ocpType, what) => {
    const f = field({ type, options: options(3) });
    expect(f.type).toBe(ocpType);
    expect(f.description).toBe(`Usage notes: ${what}`);
    expect(f.formKey).toBe('metaproperty.MP-1');
    expect(f.target).toMatchObject({ kind: 'metaproperty', id: 'MP-1', name: 'usage_notes', type });
  });

  it.each(['linked_assets', 'sidebar', 'button', 'number'])(
    'leaves out type %j when it carries no options',
    (type) => {
      expect(fieldFromMetaproperty(mp({ type }), { name: 'x_field', displayName: 'X' })).toBeUndefined();
      expect(leftOutReason(mp({ type }))).toBe(
        `type "${type}" cannot be written safely: it carries no options and is not text, long text or a date`,
      );
    },
  );

  it.each(['sidebar', 'button'])(
    'maps type %j with options as an option field, by what it carries',
    (type) => {
      const f = field({ type, options: options(2), isMultiselect: true });
      expect(leftOutReason(mp({ type, options: options(2) }))).toBeUndefined();
      expect(f.formKey).toBe('metaproperty.MP-1');
      expect(f.target).toMatchObject({ kind: 'metaproperty', type, multiple: true, optionCount: 2 });
      expect(f.toWrite('opt_2, Option 1', REJECT)).toEqual({
        kind: 'set',
        formValue: 'OPT-2,OPT-1',
        warnings: [],
      });
      expect(f.toWrite('purple', REJECT)).toMatchObject({ kind: 'invalid' });
    },
  );

  it('keeps an option type with no options yet an option field', () => {
    expect(field({ type: 'select', options: [] }).description).toBe(
      'Usage notes: single select, 0 options; an option name or label',
    );
  });

  it('reads an empty type as unreadable: the listing leaves such an entry out before the field model', () => {
    expect(metapropertySchema.safeParse({ id: 'MP-1', name: 'x', type: '' }).error?.issues[0]?.message).toBe(
      'is empty',
    );
  });

  it.each([false, 0] as const)('leaves out a metaproperty with isEditable %j', (isEditable) => {
    expect(leftOutReason(mp({ type: 'text', isEditable }))).toBe('not editable in Bynder');
  });

  it('keeps a metaproperty whatever isApiField says (its meaning is undocumented)', () => {
    expect(leftOutReason(mp({ type: 'text', isApiField: false }))).toBeUndefined();
  });

  it('describes multi-selects with a thousands separator, and required ones', () => {
    const f = field({
      type: 'select',
      label: 'Campaign',
      isMultiselect: 1,
      isRequired: true,
      options: options(2143),
    });
    expect(f.description).toBe(
      'Campaign: multi-select, 2,143 options; comma-separated option names or labels; required in Bynder',
    );
    expect(f.target).toMatchObject({ multiple: true, required: true, optionCount: 2143 });
  });

  it('falls back to the name when the label is empty', () => {
    expect(field({ type: 'longtext', label: '  ' }).description).toBe('usage_notes: long text');
  });
});

describe('text values', () => {
  const text = field({ type: 'text' });

  it('trims and sends the raw value', () => {
    expect(text.toWrite('  Internal use only \n', REJECT)).toEqual({
      kind: 'set',
      formValue: 'Internal use only',
      warnings: [],
    });
  });

  it('writes a finite number as its decimal text (lossless)', () => {
    expect(text.toWrite(42.5, REJECT)).toEqual({ kind: 'set', formValue: '42.5', warnings: [] });
  });

  it.each([[true], [{ a: 1 }], [Number.NaN]])('rejects %j', (value) => {
    expect(text.toWrite(value, REJECT)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('expected text'),
    });
  });

  it('accepts exactly 2,500 characters and rejects 2,501 naming the limit', () => {
    expect(text.toWrite('é'.repeat(2500), REJECT).kind).toBe('set');
    expect(text.toWrite('a'.repeat(2501), REJECT)).toEqual({
      kind: 'invalid',
      problem: 'is 2,501 characters long; Bynder allows at most 2,500',
    });
  });

  it('has no length limit for long text', () => {
    expect(field({ type: 'longtext' }).toWrite('a'.repeat(10_000), REJECT).kind).toBe('set');
  });

  it('rejects a NUL character', () => {
    expect(text.toWrite('a\u0000b', REJECT)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('NUL'),
    });
  });

  it('refuses an empty external key whatever the policy', () => {
    const primary = field({ type: 'text' }, true);
    expect(primary.primary).toBe(true);
    expect(primary.toWrite(' ', CLEAR)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('external key'),
    });
    expect(primary.description).toContain('primary key');
  });
});

describe('date values', () => {
  const date = field({ type: 'date' });

  // Bynder's modify documents yyyy-mm-ddThh:mm:ssZ and answers 202 even for a date it cannot read.
  it.each([
    ['2026-03-01', '2026-03-01T00:00:00Z'],
    ['2024-02-29', '2024-02-29T00:00:00Z'],
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z'],
    ['2026-03-01T10:00:00.5+02:00', '2026-03-01T08:00:00Z'],
    ['2026-03-01T01:30:00+05:30', '2026-02-28T20:00:00Z'],
    ['2026-12-31T23:00:00-02:00', '2027-01-01T01:00:00Z'],
    ['2026-03-01T10:00:00.999Z', '2026-03-01T10:00:00Z'],
  ])('writes %j in UTC as %j', (value, sent) => {
    expect(date.toWrite(` ${value} `, REJECT)).toEqual({ kind: 'set', formValue: sent, warnings: [] });
  });

  it.each(['2026-03-01T10:00', '2026-03-01T10:00:00', '2026-03-01T10:00:00.250'])(
    'rejects %j: a date-time without an offset names no moment',
    (value) => {
      expect(date.toWrite(value, REJECT)).toEqual({
        kind: 'invalid',
        problem: `"${value}" has no time zone, so the moment it means is unknown; add Z or an offset (2026-03-01T10:00:00Z, 2026-03-01T10:00:00+01:00), or send the date alone (2026-03-01, taken as midnight UTC)`,
      });
    },
  );

  it.each(['01/03/2026', '2026-3-1', '2023-02-29', '2026-02-30T10:00:00Z', '2026-03-01 10:00', 'tomorrow'])(
    'rejects %j, naming the accepted forms',
    (value) => {
      expect(date.toWrite(value, REJECT)).toEqual({
        kind: 'invalid',
        problem: `"${value}" is not an ISO 8601 date; use a date (2026-03-01, taken as midnight UTC) or a date-time with Z or an offset (2026-03-01T10:00:00Z, 2026-03-01T10:00:00+01:00)`,
      });
    },
  );

  it('rejects a number (epoch values are ambiguous)', () => {
    expect(date.toWrite(1767225600, REJECT).kind).toBe('invalid');
  });
});

describe('empty values follow the policy', () => {
  it.each([null, undefined, '', '   ', [], ['', ' ']])('%j → leave (leave) / clear (clear)', (value) => {
    for (const type of ['text', 'date', 'select']) {
      const f = field({ type, isMultiselect: type === 'select', options: options(2) });
      expect(f.toWrite(value, REJECT)).toEqual({ kind: 'leave' });
      expect(f.toWrite(value, CLEAR)).toEqual({ kind: 'clear' });
    }
  });
});
