import { describe, expect, it } from 'vitest';

import { findBrandProblem } from '../../src/lib/settings/brand-check';

const brands = [
  {
    id: 'B1',
    name: 'Retail',
    subBrands: [{ id: 'B1-S', name: 'Retail outlet', subBrands: [] }],
  },
  { id: 'B2', name: 'Wholesale', subBrands: [] },
];

describe('findBrandProblem', () => {
  it('takes a brand or a sub-brand by id', () => {
    expect(findBrandProblem('B2', brands)).toBeUndefined();
    expect(findBrandProblem('B1-S', brands)).toBeUndefined();
  });

  it('lists the portal brands by name and id, and says when a name was given for the id', () => {
    expect(findBrandProblem('B9', brands)).toBe(
      'Brand of new assets "B9" is not a brand of this portal. Enter the id of one of its brands: "Retail" (B1), "Retail outlet" (B1-S), "Wholesale" (B2)',
    );
    expect(findBrandProblem('wholesale', brands)).toMatch(
      /"wholesale" is the name of brand B2: enter its id\./,
    );
  });

  it('says when the portal has no brand', () => {
    expect(findBrandProblem('B1', [])).toMatch(/the portal lists no brand/);
  });
});
