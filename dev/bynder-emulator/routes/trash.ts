import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';

/**
 * `GET /api/trash/media/`: assets removed in the last 30 days (facts 3.4). Bynder's response shape
 * is not in our facts; the emulator answers an array of asset objects, each with `dateRemoved`, and
 * keeps them for as long as it runs.
 */
export function trashRoutes({ state, settings }: RouteDeps): RouteDef[] {
  return [
    {
      method: 'GET',
      template: '/api/trash/media/',
      access: { scope: 'asset:read' },
      handle: (_req, res) => void res.json(state.trashed(settings)),
    },
  ];
}
