import { describe, expect, it } from 'vitest';

import type { Metaproperty, MetapropertyOption } from '../../src/lib/bynder/api-types';
import { metapropertySchema } from '../../src/lib/bynder/response-schemas';
import { fieldFromMetaproperty } from '../../src/lib/fields/field-from-metaproperty';
import { buildOptionIndex } from '../../src/lib/fields/option-index';

const REJECT = { emptyValues: 'leave', unknownOptions: 'reject' } as const;
const DROP = { emptyValues: 'clear', unknownOptions: 'drop' } as const;

const option = (
  id: string,
  name: string,
  label: string,
  // Flags as Bynder sends them (1/0 or booleans); optionField reads them as the client does.
  extra: Record<string, unknown> = {},
): MetapropertyOption => ({
  id,
  name,
  label,
  ...extra,
});

const SEASONS = [
  option('S1', 'summer', 'Summer', { zindex: 1 }),
  option('S2', 'winter', 'Winter', { zindex: 2 }),
  option('S3', 'spring', 'Spring', { zindex: 3 }),
  option('S4', 'autumn', 'Autumn', { zindex: 4 }),
  option('S5', 'launch', 'Launch, 2024', { zindex: 5 }),
  option('S6', 'xmas', 'Christmas', { zindex: 6 }),
  option('S7', 'retired', 'Retired', { zindex: 7, active: 0 }),
];

const MARKETS = [
  option('EU', 'europe', 'Europe', {
    isSelectable: false,
    options: [option('FR', 'france', 'France'), option('DE', 'germany', 'Germany', { zindex: 2 })],
  }),
  option('AS', 'asia', 'Asia', { zindex: 2, options: [option('JP', 'japan', 'Japan')] }),
  option('DE-OLD', 'germany_legacy', 'Germany', { zindex: 3 }),
];

function optionField(mp: Partial<Metaproperty>) {
  const field = fieldFromMetaproperty(
    metapropertySchema.parse({
      id: 'MP-C',
      name: 'campaign',
      label: 'Campaign',
      type: 'select',
      options: SEASONS,
      ...mp,
    }),
    { name: 'campaign', displayName: 'Campaign' },
  );
  if (!field) throw new Error('expected an option field');
  return field;
}
const single = optionField({});
const multi = optionField({ isMultiselect: true });

describe('option resolution', () => {
  it.each([
    ['summer', 'S1'], // name
    ['Summer', 'S1'], // label
    ['  WINTER ', 'S2'], // case-insensitive, trimmed
    ['s3', 'S3'], // option id
    ['Launch, 2024', 'S5'], // a label with a comma is one option
  ])('single select: %j → metaproperty.MP-C=%s', (value, id) => {
    expect(single.toWrite(value, REJECT)).toEqual({ kind: 'set', formValue: id, warnings: [] });
    expect(single.formKey).toBe('metaproperty.MP-C');
  });

  it('finds a nested child option by its own name or label', () => {
    const markets = optionField({ options: MARKETS });
    expect(markets.toWrite('france', REJECT)).toEqual({ kind: 'set', formValue: 'FR', warnings: [] });
    expect(markets.toWrite('Japan', REJECT)).toEqual({ kind: 'set', formValue: 'JP', warnings: [] });
  });

  it('resolves an ambiguous text deterministically: match on name before label', () => {
    // "germany" is the child's name and nobody's label; "Germany" is the label of two options.
    const index = buildOptionIndex(MARKETS);
    const reversed = buildOptionIndex([...MARKETS].reverse());
    expect(index.resolve('Germany')).toEqual(reversed.resolve('Germany'));
    expect(index.resolve('Germany')).toMatchObject({ kind: 'found', option: { id: 'DE' } });
    expect(index.resolve('germany_legacy')).toMatchObject({ kind: 'found', option: { id: 'DE-OLD' } });
  });

  it('counts only selectable options, flattened', () => {
    expect(optionField({ options: MARKETS }).target).toMatchObject({ optionCount: 5 });
    expect(single.description).toBe('Campaign: single select, 6 options; an option name or label');
  });

  it('does not write a grouping (isSelectable false) or inactive option', () => {
    const markets = optionField({ options: MARKETS });
    expect(markets.toWrite('Europe', REJECT)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining(
        '"Europe" cannot be selected in "Campaign" (inactive or not selectable)',
      ),
    });
    expect(single.toWrite('retired', REJECT).kind).toBe('invalid');
  });
});

describe('multi-select values', () => {
  it('takes a comma-separated string and sends a comma list of option ids, without repeats', () => {
    expect(multi.toWrite('summer, Winter,,SUMMER', REJECT)).toEqual({
      kind: 'set',
      formValue: 'S1,S2',
      warnings: [],
    });
  });

  it('takes a list; list items are not split on commas', () => {
    expect(multi.toWrite(['Launch, 2024', 'xmas'], REJECT)).toEqual({
      kind: 'set',
      formValue: 'S5,S6',
      warnings: [],
    });
  });

  it('takes a whole string that names one option containing a comma', () => {
    expect(multi.toWrite('Launch, 2024', REJECT)).toEqual({ kind: 'set', formValue: 'S5', warnings: [] });
  });

  it('refuses several values for a single select', () => {
    expect(single.toWrite(['summer', 'winter'], REJECT)).toEqual({
      kind: 'invalid',
      problem: '2 values ("summer", "winter") for single select "Campaign"; give one option',
    });
  });

  it('skips null entries in a list', () => {
    expect(multi.toWrite([null, 'winter', undefined], REJECT)).toEqual({
      kind: 'set',
      formValue: 'S2',
      warnings: [],
    });
  });

  it('refuses a list holding an object', () => {
    expect(multi.toWrite(['summer', { x: 1 }], REJECT)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('an object'),
    });
  });
});

describe('unknown options', () => {
  it('rejects, listing the first known options and how many there are', () => {
    expect(single.toWrite('Sumer', REJECT)).toEqual({
      kind: 'invalid',
      bynder: 'option',
      problem:
        '"Sumer" is not an option of "Campaign" (Summer, Winter, Spring, Autumn, Launch, 2024, … 6 options)',
    });
  });

  it('lists all known options when there are few', () => {
    const small = optionField({ options: SEASONS.slice(0, 2), isMultiselect: true });
    expect(small.toWrite(['x', 'y'], REJECT)).toEqual({
      kind: 'invalid',
      bynder: 'option',
      problem: '"x", "y" are not options of "Campaign" (Summer, Winter)',
    });
  });

  it("drops unknown ones with a warning under 'drop' and writes the rest", () => {
    const write = multi.toWrite('summer,Sumer', DROP);
    expect(write).toMatchObject({ kind: 'set', formValue: 'S1' });
    expect(write.kind === 'set' && write.warnings).toEqual([
      expect.stringContaining('"Sumer" is not an option of "Campaign"; left out'),
    ]);
  });

  it("leaves the asset's value alone (never clears) when 'drop' leaves nothing", () => {
    const write = single.toWrite('Sumer', DROP);
    expect(write.kind).toBe('leave');
    expect(write.kind === 'leave' && write.warnings).toHaveLength(1);
  });
});
