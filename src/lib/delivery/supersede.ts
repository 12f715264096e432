import { isEmptyValue } from '../fields/field-write';

// What of a parked record (src/lib/state/outbox.ts) a later applied event for its key leaves to deliver: the same rules one
// batch follows when it merges several events for a key (docs/delivery.md, "Several events for one
// key"), applied field by field, so a parked record loses only what really replaces it.
// - A later upsert replaces the fields it carries (an empty value under "leave" replaces nothing:
//   it leaves Bynder's value as it is). A parked upsert keeps its other fields; a parked delete is
//   superseded (the newer intent is that the asset exists).
// - A later delete (archive or delete) supersedes whatever is parked for the key. A delete the
//   `ignore` policy ignored replaces nothing.

export interface MergePolicy {
  /** The record field holding the key: never trimmed, it names the asset. */
  keyField: string;
  deletePolicy: 'archive' | 'delete' | 'ignore';
  emptyValues: 'leave' | 'clear';
}

/**
 * The parked item left after `later` was applied (`parked` itself when nothing of it was replaced),
 * or undefined when nothing of it is left.
 */
export function remainderAfter(parked: unknown, later: unknown, policy: MergePolicy): unknown {
  if (!isPlainRecord(parked) || !isPlainRecord(later)) return parked;
  if (isDelete(later)) return policy.deletePolicy === 'ignore' ? parked : undefined;
  if (isDelete(parked)) return undefined;
  const left: Record<string, unknown> = {};
  let fields = 0;
  let replacedAny = false;
  for (const [name, value] of Object.entries(parked)) {
    const replaced =
      name !== policy.keyField &&
      Object.hasOwn(later, name) &&
      !(policy.emptyValues === 'leave' && isEmptyValue(later[name]));
    if (replaced) {
      replacedAny = true;
      continue;
    }
    left[name] = value;
    if (name !== policy.keyField) fields += 1;
  }
  if (fields === 0) return undefined;
  // Unchanged: the same item, so the caller sees nothing was trimmed.
  return replacedAny ? left : parked;
}

function isDelete(item: Record<string, unknown>): boolean {
  return item._isDeleted === true;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
