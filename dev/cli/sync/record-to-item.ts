import type { AssetItem } from '../../../src/destinations/BynderAssetSync';
import { parseDeleteFlag } from './delete-flag';
import { DELETE_FLAG } from './destination-field';
import type { FieldMapping } from './FieldMapping';
import type { SourceRecord } from './source-entry';

export type ItemConversion =
  { ok: true; item: AssetItem; key: string } | { ok: false; key: string; field: string; reason: string };

/**
 * Turns a source record into what OCP would hand deliver(): mapped fields only, keyed by destination
 * field name. A delete carries only the primary key and `_isDeleted: true`, as OCP sends deletes.
 * Values pass through unchanged (CSV cells are text); validating them is the app's job.
 */
export function toAssetItem(record: SourceRecord, mapping: FieldMapping): ItemConversion {
  const primary = mapping.primaryField.name;
  const item: AssetItem = {};
  let deleteValue: unknown;
  for (const [column, value] of Object.entries(record)) {
    const field = mapping.fieldFor(column);
    if (field === DELETE_FLAG) deleteValue = value;
    else if (field !== undefined) item[field] = value;
  }
  const key = describeKey(item[primary]);
  const flag = parseDeleteFlag(deleteValue);
  if (!flag.ok) return { ok: false, key, field: DELETE_FLAG, reason: flag.problem };
  if (flag.deleted) {
    const keyOnly: AssetItem = item[primary] === undefined ? {} : { [primary]: item[primary] };
    return { ok: true, key, item: { ...keyOnly, _isDeleted: true } };
  }
  return { ok: true, key, item };
}

/** The key as reports show it; empty when the record has none. */
function describeKey(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
