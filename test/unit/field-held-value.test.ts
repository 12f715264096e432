import { describe, expect, it } from 'vitest';

import type { Media } from '../../src/lib/bynder/api-types';
import { fieldFromMetaproperty } from '../../src/lib/fields/field-from-metaproperty';
import { holdsBoolean } from '../../src/lib/fields/boolean-value';
import { holdsDate } from '../../src/lib/fields/date-value';
import { holdsOptions } from '../../src/lib/fields/option-value';
import { holdsTags } from '../../src/lib/fields/tags-value';
import { holdsText } from '../../src/lib/fields/text-value';
import { buildOptionIndex } from '../../src/lib/fields/option-index';
import { buildStandardFields } from '../../src/lib/fields/standard-fields';

// Whether Bynder's read already holds what a write would send, compared as encoded. Only "holds"
// lets change detection drop a field, so every shape the read may take that is not certain must
// answer "unknown" (written), never "holds".

const index = buildOptionIndex([
  { id: 'O-SUMMER', name: 'summer', label: 'Summer' },
  { id: 'O-WINTER', name: 'winter', label: 'Winter' },
  { id: 'O-TWIN-1', name: 'twin' },
  {
    id: 'O-PARENT',
    name: 'parent',
    options: [
      { id: 'O-TWIN-2', name: 'twin' },
      { id: 'O-CHILD', name: 'child' },
    ],
  },
]);

describe('holdsText: exactly', () => {
  it.each([
    ['same text', 'Spring banner', 'Spring banner', 'holds'],
    ['another case', 'spring banner', 'Spring banner', 'differs'],
    ['trailing space Bynder kept (the encoder trims)', 'Spring ', 'Spring', 'differs'],
    ['a one-entry list, as some portals answer text', ['Spring'], 'Spring', 'holds'],
    ['null is empty', null, '', 'holds'],
    ['an empty list is empty', [], '', 'holds'],
    ['null against a value', null, 'x', 'differs'],
    ['absent', undefined, '', 'unknown'],
    ['a list of two', ['a', 'b'], 'a', 'unknown'],
    ['a number', 42, '42', 'unknown'],
  ])('%s', (_rule, current, formValue, expected) => {
    expect(holdsText(current, formValue)).toBe(expected);
  });
});

describe('holdsDate: normalised as the encoder writes it (UTC, seconds, Z)', () => {
  it.each([
    ['the same form', '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z', 'holds'],
    ['with milliseconds', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00Z', 'holds'],
    ['the same moment at an offset', '2026-03-01T11:00:00+01:00', '2026-03-01T10:00:00Z', 'holds'],
    ['an offset without a colon', '2026-03-01T11:00:00+0100', '2026-03-01T10:00:00Z', 'holds'],
    ['another moment', '2026-03-01T10:00:01Z', '2026-03-01T10:00:00Z', 'differs'],
    ['no zone: the moment is not certain', '2026-03-01T10:00:00', '2026-03-01T10:00:00Z', 'unknown'],
    ['unreadable', 'March, 01 2026', '2026-03-01T00:00:00Z', 'unknown'],
    ['empty against a clear', '', '', 'holds'],
    ['empty against a date', '', '2026-03-01T00:00:00Z', 'differs'],
    ['absent', undefined, '2026-03-01T00:00:00Z', 'unknown'],
  ])('%s', (_rule, current, formValue, expected) => {
    expect(holdsDate(current, formValue)).toBe(expected);
  });
});

describe('holdsBoolean: Bynder answers true/false or 1/0', () => {
  it.each([
    [true, 'true', 'holds'],
    [1, 'true', 'holds'],
    ['1', 'true', 'holds'],
    [0, 'false', 'holds'],
    ['false', 'false', 'holds'],
    [false, 'true', 'differs'],
    [0, 'true', 'differs'],
    [undefined, 'false', 'unknown'],
    [null, 'false', 'unknown'],
    ['yes', 'true', 'unknown'],
    [2, 'true', 'unknown'],
  ])('%j against %s', (current, formValue, expected) => {
    expect(holdsBoolean(current, formValue)).toBe(expected);
  });
});

describe('holdsTags: a set of exact texts, as Bynder stores them', () => {
  it.each([
    ['the same tags', ['spring', 'homepage'], 'spring,homepage', 'holds'],
    ['another order', ['homepage', 'spring'], 'spring,homepage', 'holds'],
    ['a repeat Bynder kept', ['spring', 'spring'], 'spring', 'holds'],
    ['a tag more', ['spring', 'homepage', 'x'], 'spring,homepage', 'differs'],
    ['another case', ['Spring'], 'spring', 'differs'],
    ['none against a clear', [], '', 'holds'],
    ['null against a clear', null, '', 'holds'],
    ['absent', undefined, 'spring', 'unknown'],
    ['a comma text', 'spring,homepage', 'spring,homepage', 'unknown'],
    ['a list holding a number', ['spring', 3], 'spring,3', 'unknown'],
  ])('%s', (_rule, current, formValue, expected) => {
    expect(holdsTags(current, formValue)).toBe(expected);
  });
});

describe('holdsOptions: option ids as a set, names turned into ids of this metaproperty', () => {
  it.each([
    ['the same option', ['summer'], ['O-SUMMER'], 'O-SUMMER', 'holds'],
    [
      'the same set in another order',
      ['winter', 'summer'],
      ['O-WINTER', 'O-SUMMER'],
      'O-SUMMER,O-WINTER',
      'holds',
    ],
    ['a nested option by its own name', ['child'], ['O-CHILD'], 'O-CHILD', 'holds'],
    ['one option less', ['summer'], ['O-SUMMER'], 'O-SUMMER,O-WINTER', 'differs'],
    ['another option', ['winter'], ['O-WINTER'], 'O-SUMMER', 'differs'],
    ['none against a clear', [], [], '', 'holds'],
    ['a single select answered as a string', 'summer', ['O-SUMMER'], 'O-SUMMER', 'holds'],
    ['a name two options share', ['twin'], ['O-TWIN-1'], 'O-TWIN-1', 'unknown'],
    [
      'a name no option has (renamed since the model was built)',
      ['autumn'],
      ['O-AUTUMN'],
      'O-SUMMER',
      'unknown',
    ],
    ['a label, not a name', ['Summer'], ['O-SUMMER'], 'O-SUMMER', 'unknown'],
    ['an id missing from propertyOptions', ['summer'], ['O-WINTER'], 'O-SUMMER', 'unknown'],
    ['no propertyOptions at all', ['summer'], undefined, 'O-SUMMER', 'unknown'],
    ['absent', undefined, ['O-SUMMER'], 'O-SUMMER', 'unknown'],
  ])('%s', (_rule, current, propertyOptions, formValue, expected) => {
    expect(holdsOptions(current, propertyOptions, formValue, index)).toBe(expected);
  });
});

describe('Field.holds reads the field from where Bynder answers it', () => {
  const asset: Media = {
    id: 'A',
    description: 'd',
    tags: ['t'],
    archive: 1 as unknown as boolean, // as Bynder's payloads carry it
    propertyOptions: ['O-SUMMER'],
    property_campaign: ['summer'],
    property_notes: 'n',
  };
  const byName = new Map(buildStandardFields({ kind: 'asset_id' }).map((field) => [field.name, field]));

  it('standard fields from their own keys', () => {
    expect(byName.get('description')?.holds(asset, 'd')).toBe('holds');
    expect(byName.get('tags')?.holds(asset, 't')).toBe('holds');
    expect(byName.get('archive')?.holds(asset, 'true')).toBe('holds');
    expect(byName.get('copyright')?.holds(asset, '')).toBe('unknown');
    expect(byName.get('asset_id')?.holds(asset, 'A')).toBe('unknown');
  });

  it('metaproperties from property_<name>', () => {
    const campaign = fieldFromMetaproperty(
      { id: 'MP-C', name: 'campaign', type: 'select', options: [{ id: 'O-SUMMER', name: 'summer' }] },
      { name: 'campaign', displayName: 'Campaign' },
    );
    const notes = fieldFromMetaproperty(
      { id: 'MP-N', name: 'notes', type: 'longtext' },
      { name: 'notes', displayName: 'Notes' },
    );
    expect(campaign?.holds(asset, 'O-SUMMER')).toBe('holds');
    expect(notes?.holds(asset, 'n')).toBe('holds');
    expect(notes?.holds(asset, 'm')).toBe('differs');
  });
});
