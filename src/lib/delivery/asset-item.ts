// What OCP hands deliver(): one flat object per record, field name to value. Deletes carry only the
// primary key and `_isDeleted: true`. The type is an index signature on purpose: the SDK's
// `Destination<T extends { _isDeleted?: boolean }>` rejects a plain interface (a "weak type" clash).

export type AssetItem = Record<string, unknown> & { _isDeleted?: boolean };

/** The marker OCP sets on delete events. */
export const DELETED_MARKER = '_isDeleted';

/**
 * Whether a batch item is a plain object we may read with Object.entries. Arrays, class instances and
 * primitives are not records; reading only own properties keeps `__proto__`/`constructor` keys inert.
 */
export function isAssetItem(value: unknown): value is AssetItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A delete event: `_isDeleted` is an own property set to true (anything else is an upsert). */
export function isDeleteEvent(item: AssetItem): boolean {
  return Object.hasOwn(item, DELETED_MARKER) && item[DELETED_MARKER] === true;
}
