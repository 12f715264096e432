import { describe, expect, it } from 'vitest';

import { deriveOptionName } from '../../src/lib/fields/option-name';

describe('deriveOptionName: as Bynder derives names from labels', () => {
  it.each([
    ['Autumn sale', 'autumn_sale'],
    ["Été '26", 'ete_26'],
    ['  --Spring//Summer--  ', 'spring_summer'],
    ['!!!', 'option'],
  ])('%j → %j', (label, name) => {
    expect(deriveOptionName(label, [])).toBe(name);
  });

  it('never takes a name an option has, in any letter case: the first free suffix', () => {
    expect(deriveOptionName('Summer!', ['Summer', 'winter'])).toBe('summer_2');
    expect(deriveOptionName('Summer', ['summer', 'summer_2'])).toBe('summer_3');
  });
});
