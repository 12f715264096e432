import type { FixedValue } from '../fields/fixed-values';
import { isAssetItem, isDeleteEvent } from './asset-item';

// The settings' fixed values, filled into a batch before it is planned, so they are validated,
// merged, compared and written exactly as a record's own values are.

/** Whether a record carries a value for `field`: an own property that is neither null nor undefined. */
function carries(item: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(item, field) && item[field] !== null && item[field] !== undefined;
}

/**
 * The batch with the fixed values filled into every upsert that carries no value of its own for
 * them. Deletes and items that are not records pass unchanged; no item is modified in place.
 */
export function applyFixedValues(items: readonly unknown[], values: readonly FixedValue[]): unknown[] {
  if (values.length === 0) return [...items];
  return items.map((item) => {
    if (!isAssetItem(item) || isDeleteEvent(item)) return item;
    const missing = values.filter((fixed) => !carries(item, fixed.field));
    if (missing.length === 0) return item;
    const filled: Record<string, unknown> = { ...item };
    for (const fixed of missing) filled[fixed.field] = fixed.value;
    return filled;
  });
}
