import { describe, expect, it } from 'vitest';

import { applyFixedValues } from '../../src/lib/delivery/apply-fixed-values';
import { parseFixedValues, readStoredFixedValues } from '../../src/lib/fields/fixed-values';
import { ConfigError } from '../../src/lib/config';

describe('parseFixedValues', () => {
  it('reads one "field: value" a line, splitting at the first colon, skipping blanks and # lines', () => {
    expect(parseFixedValues('# note\n\n campaign :  Summer \nusage_notes: a: b\r\n')).toEqual({
      ok: true,
      values: [
        { line: 3, field: 'campaign', value: 'Summer' },
        { line: 4, field: 'usage_notes', value: 'a: b' },
      ],
    });
    expect(parseFixedValues('')).toEqual({ ok: true, values: [] });
  });

  it('names the line of every problem', () => {
    const parsed = parseFixedValues('Campaign: x\nregion:\nnotes\n');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((problem) => problem.line)).toEqual([1, 2, 3]);
    expect(parsed.problems[1]?.message).toBe(
      'line 2: field "region" has no value; give one after the colon, or remove the line',
    );
  });

  it('a stored text that does not parse is a ConfigError naming the section', () => {
    expect(() => readStoredFixedValues('nonsense')).toThrow(ConfigError);
    expect(() => readStoredFixedValues('nonsense')).toThrow(/fix "Fixed values" in "Records" and save/);
  });
});

describe('applyFixedValues', () => {
  const fixed = [{ line: 1, field: 'campaign', value: 'Summer' }];

  it('fills records without a value of their own, never deletes, and changes no item in place', () => {
    const own = { asset_id: 'A', campaign: 'Winter' };
    const without = { asset_id: 'B' };
    const nulled = { asset_id: 'C', campaign: null };
    const empty = { asset_id: 'D', campaign: '' };
    const deleted = { asset_id: 'E', _isDeleted: true };
    const out = applyFixedValues([own, without, nulled, empty, deleted, 'not a record'], fixed);
    expect(out).toEqual([
      own,
      { asset_id: 'B', campaign: 'Summer' },
      { asset_id: 'C', campaign: 'Summer' },
      // An empty string is the record's own value: the empty-values setting decides what it does.
      empty,
      deleted,
      'not a record',
    ]);
    expect(without).toEqual({ asset_id: 'B' });
    expect(out[0]).toBe(own);
  });
});
