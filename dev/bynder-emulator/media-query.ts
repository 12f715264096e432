import type { Request } from 'express';

import { queryFlag, queryList, queryValue } from './query';
import type { TextFilterMode } from './runtime-settings';
import type { StoredAsset } from './stored-asset';
import type { Taxonomy } from './taxonomy';

type Predicate = (asset: StoredAsset) => boolean;

const NOTHING: Predicate = () => false;
const ORDER_FIELDS = new Set(['dateCreated', 'dateModified', 'datePublished', 'name']);

/**
 * The filters of `GET /api/v4/media/` the emulator supports (https://api.bynder.com/reference/get_api-v4-media), ANDed together:
 * `ids`, `property_<name>`, `propertyOptionId`, `archive`, `isPublic`, `limited`, `tags`,
 * `type`, `keyword`. Unsupported parameters are ignored, as Bynder ignores unknown ones (`id` is
 * not a filter: it asks for one asset, see routes/media.ts).
 */
export function buildMediaFilter(
  req: Request,
  taxonomy: Taxonomy,
  textFilter: TextFilterMode = 'exact',
): Predicate {
  const predicates: Predicate[] = [];
  const ids = queryList(req, 'ids');
  if (ids) predicates.push((asset) => ids.includes(asset.id));
  for (const flag of ['archive', 'isPublic', 'limited'] as const) {
    if (queryValue(req, flag) === undefined) continue;
    const wanted = queryFlag(req, flag, false);
    predicates.push((asset) => (asset.fields[flag] === true) === wanted);
  }
  const tags = queryList(req, 'tags');
  if (tags) predicates.push((asset) => tags.every((tag) => (asset.fields.tags as string[]).includes(tag)));
  const types = queryList(req, 'type');
  if (types) predicates.push((asset) => types.includes(String(asset.fields.type)));
  const keyword = queryValue(req, 'keyword')?.toLowerCase();
  if (keyword) {
    predicates.push((asset) =>
      [asset.fields.name, asset.fields.description, ...(asset.fields.tags as string[])].some((text) =>
        String(text).toLowerCase().includes(keyword),
      ),
    );
  }
  const optionIds = queryList(req, 'propertyOptionId');
  if (optionIds) predicates.push((asset) => optionIds.every((id) => hasOption(asset, id)));
  for (const [key, value] of Object.entries(req.query)) {
    if (!key.startsWith('property_') || typeof value !== 'string') continue;
    predicates.push(propertyPredicate(key.slice('property_'.length), value, taxonomy, textFilter));
  }
  return (asset) => predicates.every((predicate) => predicate(asset));
}

/**
 * `property_<name>=<value>`: for option types an option name (case-insensitive) or a comma list of
 * option ids, all of which the asset must carry; for text types as `textFilter` says (Bynder does
 * not document it; `exact` by default). Date metaproperties are not filterable on Bynder (https://api.bynder.com/reference/get_api-v4-media), so the filter is ignored; an unknown metaproperty name matches nothing (assumption).
 */
function propertyPredicate(
  name: string,
  value: string,
  taxonomy: Taxonomy,
  textFilter: TextFilterMode,
): Predicate {
  const mp = taxonomy.byName(name);
  if (!mp) return NOTHING;
  if (mp.type === 'date') return () => true;
  if (!taxonomy.isOptionType(mp)) {
    if (textFilter === 'ignored') return () => true;
    const matches = TEXT_MATCHERS[textFilter];
    return (asset) => {
      const text = asset.values.get(mp.id);
      return typeof text === 'string' && matches(text, value);
    };
  }
  const whole = taxonomy.resolveOption(mp, value);
  const wanted = whole ? [whole] : value.split(',').map((part) => taxonomy.resolveOption(mp, part.trim()));
  if (wanted.some((option) => option === undefined)) return NOTHING;
  const ids = wanted.map((option) => option!.id);
  return (asset) => {
    const current = asset.values.get(mp.id);
    return Array.isArray(current) && ids.every((id) => current.includes(id));
  };
}

const TEXT_MATCHERS: Record<Exclude<TextFilterMode, 'ignored'>, (text: string, wanted: string) => boolean> = {
  exact: (text, wanted) => text === wanted,
  substring: (text, wanted) => text.includes(wanted),
  'case-insensitive': (text, wanted) => text.toLowerCase() === wanted.toLowerCase(),
};

function hasOption(asset: StoredAsset, optionId: string): boolean {
  for (const value of asset.values.values()) {
    if (Array.isArray(value) && value.includes(optionId)) return true;
  }
  return false;
}

/** `orderBy=<dateCreated|dateModified|datePublished|name> <asc|desc>`; default newest first, ties by id. */
export function buildMediaOrder(req: Request): (a: StoredAsset, b: StoredAsset) => number {
  const [rawField, rawDirection] = (queryValue(req, 'orderBy') ?? '').trim().split(/\s+/);
  const field = rawField && ORDER_FIELDS.has(rawField) ? rawField : 'dateCreated';
  const explicit = rawDirection?.toLowerCase();
  // Without a direction, names sort A-Z and dates newest first.
  const direction = explicit === 'asc' ? 1 : explicit === 'desc' ? -1 : field === 'name' ? 1 : -1;
  return (a, b) => {
    const left = sortText(a.fields[field]);
    const right = sortText(b.fields[field]);
    return (left < right ? -1 : left > right ? 1 : 0) * direction || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}

function sortText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
