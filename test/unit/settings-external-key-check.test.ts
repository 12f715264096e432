import { describe, expect, it } from 'vitest';

import { findExternalKeyProblem, type MetapropertyFacts } from '../../src/lib/settings/external-key-check';

const metaproperties: MetapropertyFacts[] = [
  { name: 'sku', label: 'SKU', type: 'text' },
  { name: 'region', label: 'Region', type: 'select' },
  { name: 'notes', label: 'Notes', type: 'longtext' },
];

describe('findExternalKeyProblem', () => {
  it('accepts a text metaproperty by its name', () => {
    expect(findExternalKeyProblem('sku', metaproperties)).toBeUndefined();
  });

  it('refuses another type and lists the text metaproperties', () => {
    expect(findExternalKeyProblem('region', metaproperties)).toBe(
      'External key metaproperty "region" is of type select; choose a text metaproperty (text metaproperties: sku)',
    );
  });

  it('points from a label or other casing to the name', () => {
    expect(findExternalKeyProblem('SKU', metaproperties)).toBe(
      'External key metaproperty "SKU" is not a metaproperty name; did you mean "sku" (labelled "SKU")? Enter the name exactly, letter case included, not the label',
    );
  });

  it('refuses an unknown name', () => {
    expect(findExternalKeyProblem('ean', metaproperties)).toBe(
      'External key metaproperty "ean" does not exist in Bynder; enter the name of a text metaproperty (text metaproperties: sku)',
    );
  });

  it('says when the portal has no text metaproperty at all', () => {
    expect(findExternalKeyProblem('ean', [])).toContain(
      'this portal has no text metaproperty; create one in Bynder first',
    );
  });

  it('names why a metaproperty the app leaves out cannot be used', () => {
    expect(
      findExternalKeyProblem('legacy', metaproperties, [
        { name: 'legacy', reason: 'not editable in Bynder' },
      ]),
    ).toBe(
      'External key metaproperty "legacy" cannot be used: not editable in Bynder; choose another text metaproperty',
    );
  });

  it('lists at most ten text metaproperties', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, label: undefined, type: 'text' }));
    expect(findExternalKeyProblem('x', many)).toContain('t8 and t9, and 2 more)');
  });
});
