import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';

/**
 * `GET /api/v4/brands/` (https://api.bynder.com/reference/get_api-v4-brands): every brand with its
 * sub-brands, as the seed gives them. The brands OpenAPI names no scope or role: any valid token reads them.
 */
export function brandRoutes(deps: RouteDeps): RouteDef[] {
  return [
    {
      method: 'GET',
      template: '/api/v4/brands/',
      handle: (_req, res) => {
        const render = (brand: (typeof deps.state.brands)[number]): Record<string, unknown> => ({
          image: brand.image ?? '',
          name: brand.name,
          id: brand.id,
          description: brand.description ?? '',
          subBrands: (brand.subBrands ?? []).map(render),
        });
        res.json(deps.state.brands.map(render));
      },
    },
  ];
}
