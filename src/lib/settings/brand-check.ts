import type { Brand } from '../bynder/upload-types';

// A new asset is saved into a brand (`brandId` of `POST /api/v4/media/save/{importId}/`,
// https://api.bynder.com/reference, "Upload assets"). The id is checked on save against the portal's
// brands, so a typo surfaces in the form, not as every creation refused later.

/** How many brands a problem lists. */
const LISTED = 10;

/** Every brand and sub-brand of the portal, depth first (a sub-brand is a valid `brandId` too). */
export function flattenBrands(brands: readonly Brand[]): Brand[] {
  return brands.flatMap((brand) => [brand, ...flattenBrands(brand.subBrands)]);
}

/** The problem with `brandId` as the brand of new assets, or undefined when the portal has it. */
export function findBrandProblem(brandId: string, brands: readonly Brand[]): string | undefined {
  const all = flattenBrands(brands);
  if (all.some((brand) => brand.id === brandId)) return undefined;
  const label = 'Brand of new assets';
  if (all.length === 0) {
    return `${label} "${brandId}" cannot be used: the portal lists no brand (GET /api/v4/brands/); create one in Bynder first`;
  }
  const named = all.find((brand) => brand.name.trim().toLowerCase() === brandId.trim().toLowerCase());
  const listed = all
    .slice(0, LISTED)
    .map((brand) => `"${brand.name}" (${brand.id})`)
    .join(', ');
  const more = all.length > LISTED ? `, and ${all.length - LISTED} more` : '';
  const hint = named ? ` "${brandId}" is the name of brand ${named.id}: enter its id.` : '';
  return `${label} "${brandId}" is not a brand of this portal.${hint} Enter the id of one of its brands: ${listed}${more}`;
}
