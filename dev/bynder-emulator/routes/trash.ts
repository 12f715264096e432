import { pageOf, queryPaging, queryValue } from '../query';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';
import type { TrashItem } from '../state';

/** The trash listing's default page size (Bynder's trash OpenAPI: `limit`, default 10). */
const TRASH_PAGE_SIZE = 10;
/** `field` values Bynder's trash OpenAPI lists, and the item key each sorts by. */
const SORT_FIELDS: Readonly<Record<string, keyof TrashItem>> = {
  'media.dateCreated': 'dateCreated',
  'media.dateRemoved': 'dateRemoved',
  'media.name': 'name',
  'media.username': 'username',
};

/**
 * `GET /api/trash/media/`: assets removed in the last 30 days, as Bynder's trash OpenAPI gives
 * them (https://api.bynder.com/reference/get_api-trash-media): an array of
 * `{id, name, dateRemoved, dateCreated, username, userId}`, paged by `limit` (default 10) and
 * `page`, sorted by `field` and `order`. Bynder's default order is undocumented; here it is the
 * most recently removed first. The emulator keeps removed assets for as long as it runs, and does
 * not filter by `dateRemoved`.
 */
export function trashRoutes({ state }: RouteDeps): RouteDef[] {
  return [
    {
      method: 'GET',
      template: '/api/trash/media/',
      access: { scope: 'asset:read' },
      handle: (req, res) => {
        const key = SORT_FIELDS[queryValue(req, 'field') ?? ''] ?? 'dateRemoved';
        const explicit = queryValue(req, 'order')?.toLowerCase();
        const direction = explicit === 'asc' ? 1 : explicit === 'desc' ? -1 : key === 'dateRemoved' ? -1 : 1;
        // Newest removal first before a stable sort, so ties (same second, same name) keep that order.
        const items = state
          .trashItems()
          .reverse()
          .sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0) * direction);
        res.json(pageOf(items, queryPaging(req, TRASH_PAGE_SIZE)));
      },
    },
  ];
}
