import { describe, expect, it } from 'vitest';

import { assignFieldNames, FIELD_NAME_PATTERN, normaliseFieldName } from '../../src/lib/fields/field-name';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';

const ID = 'A0000001-0000-4000-8000-000000000001';

describe('normaliseFieldName: the OCP name rule ^[a-z][a-z0-9_]{1,61}$', () => {
  it.each([
    ['region', 'region'],
    ['Usage_Notes', 'usage_notes'],
    ['usage notes (internal)', 'usage_notes_internal'],
    ['__a--b__', 'a_b'],
    ['Région', 'region'],
    ['Ünïcödé Straße', 'unicode_strasse'],
    ['Œuvre Øresund', 'oeuvre_oresund'],
    ['2024 campaign', 'mp_2024_campaign'], // leading digit
    ['x', 'mp_x'], // one letter is below the 2-character minimum
    ['ab', 'ab'], // 2 characters: the shortest valid name, kept
  ])('%j → %j', (input, expected) => {
    const name = normaliseFieldName(input, ID);
    expect(name).toBe(expected);
    expect(name).toMatch(FIELD_NAME_PATTERN);
  });

  it('derives mp_<hash of id> when nothing is left, stable per id', () => {
    const name = normaliseFieldName('日本語', ID);
    expect(name).toMatch(/^mp_[0-9a-f]{6}$/);
    expect(normaliseFieldName('___', ID)).toBe(name);
    expect(normaliseFieldName('日本語', 'another-id')).not.toBe(name);
  });

  it('keeps a 62-character name whole and cuts longer ones to 62 without a trailing underscore', () => {
    const exactly62 = `a${'b'.repeat(61)}`;
    expect(normaliseFieldName(exactly62, ID)).toBe(exactly62);
    expect(normaliseFieldName(`${exactly62}c`, ID)).toBe(exactly62);
    const cutAtUnderscore = `${'a'.repeat(61)}_tail`;
    expect(normaliseFieldName(cutAtUnderscore, ID)).toBe('a'.repeat(61));
  });
});

describe('assignFieldNames: unique, deterministic, stable', () => {
  const mps = [
    { id: 'id-3', name: 'Région' },
    { id: 'id-1', name: 'region' },
    { id: 'id-2', name: 'REGION' },
  ];

  it('gives the plain name to the metaproperty whose Bynder name already is it, hashes the rest', () => {
    const names = assignFieldNames(mps, STANDARD_FIELD_NAMES);
    expect(names.get('id-1')).toBe('region');
    expect(names.get('id-2')).toMatch(/^region_[0-9a-f]{6}$/);
    expect(names.get('id-3')).toMatch(/^region_[0-9a-f]{6}$/);
    expect(new Set(names.values()).size).toBe(3);
  });

  it('does not depend on list order', () => {
    const forward = assignFieldNames(mps, STANDARD_FIELD_NAMES);
    const backward = assignFieldNames([...mps].reverse(), STANDARD_FIELD_NAMES);
    expect([...backward].sort()).toEqual([...forward].sort());
  });

  it('renames no existing field when another metaproperty is added', () => {
    const before = assignFieldNames(mps, STANDARD_FIELD_NAMES);
    const after = assignFieldNames(
      [...mps, { id: 'id-0', name: 'Region!' }, { id: 'id-9', name: 'campaign' }],
      STANDARD_FIELD_NAMES,
    );
    for (const [id, name] of before) expect(after.get(id)).toBe(name);
    expect(after.get('id-0')).toMatch(/^region_[0-9a-f]{6}$/);
  });

  it('never takes a standard field name: such a metaproperty becomes mp_<name>', () => {
    const names = assignFieldNames(
      [
        { id: 'd', name: 'description' },
        { id: 'a', name: 'asset_id' },
        { id: 'p', name: 'Is Public' },
      ],
      STANDARD_FIELD_NAMES,
    );
    expect(names.get('d')).toBe('mp_description');
    expect(names.get('a')).toBe('mp_asset_id');
    expect(names.get('p')).toBe('mp_is_public');
  });

  it('lets a metaproperty literally named mp_description keep it; the clashing one gets a hash', () => {
    const names = assignFieldNames(
      [
        { id: 'd', name: 'description' },
        { id: 'm', name: 'mp_description' },
      ],
      STANDARD_FIELD_NAMES,
    );
    expect(names.get('m')).toBe('mp_description');
    expect(names.get('d')).toMatch(/^mp_description_[0-9a-f]{6}$/);
  });

  it('keeps suffixed names within 62 characters', () => {
    const long = 'n'.repeat(70);
    const names = assignFieldNames(
      [
        { id: 'one', name: long },
        { id: 'two', name: `${long}!` },
      ],
      STANDARD_FIELD_NAMES,
    );
    for (const name of names.values()) {
      expect(name).toMatch(FIELD_NAME_PATTERN);
      expect(name.length).toBeLessThanOrEqual(62);
    }
    expect(new Set(names.values()).size).toBe(2);
  });
});
