import type { Seed, SeedMetaproperty } from './seed';

// A large taxonomy for the emulator: product codes kept as options of one metaproperty, as Bynder
// portals often do (tens of thousands to 100,000 options). Ids have Bynder's shape (a UUID), names
// the shape of a product code, labels a short product name; each option carries what Bynder's
// listing does for it (zindex, selectable, active, linked option ids).

export const PRODUCT_CODE_METAPROPERTY = 'product_code';

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/** The option id of product code number `n` (0-based). */
export function productCodeOptionId(n: number): string {
  return `0B7100E0-C0DE-4000-8000-${hex(n, 12)}`;
}

/** The option name of product code number `n`: `PRD-000042`. */
export function productCodeName(n: number): string {
  return `PRD-${String(n).padStart(6, '0')}`;
}

/** A select metaproperty with `count` product-code options. */
export function productCodeMetaproperty(count: number): SeedMetaproperty {
  return {
    id: '5E1EC700-C0DE-4000-8000-000000000000',
    name: PRODUCT_CODE_METAPROPERTY,
    label: 'Product code',
    type: 'select2',
    isMultiselect: false,
    isEditable: true,
    zindex: 100,
    options: Array.from({ length: count }, (_, n) => ({
      id: productCodeOptionId(n),
      name: productCodeName(n),
      label: `Product ${n}`,
      zindex: n,
      isSelectable: true,
      active: true,
      linkedOptionIds: [],
    })),
  };
}

/** `seed` with a product-code metaproperty of `count` options added (replacing one of that name). */
export function withProductCodes(seed: Seed, count: number): Seed {
  return {
    ...seed,
    metaproperties: { ...seed.metaproperties, [PRODUCT_CODE_METAPROPERTY]: productCodeMetaproperty(count) },
  };
}
