import type { AssetItem } from '../../../../src/lib/delivery';
import { DELETED_MARKER } from '../../../../src/lib/delivery';
import type { SourceRecord } from '../sources/source-entry';
import type { FieldMapping } from './field-mapping';

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
    if (field === DELETED_MARKER) deleteValue = value;
    else if (field !== undefined) item[field] = value;
  }
  const key = describeKey(item[primary]);
  const flag = parseDeleteFlag(deleteValue);
  if (!flag.ok) return { ok: false, key, field: DELETED_MARKER, reason: flag.problem };
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

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '']);

type DeleteFlag = { ok: true; deleted: boolean } | { ok: false; problem: string };

/** How a source marks a delete: a `_isDeleted` column (CSV text) or field (JSON boolean or text). */
function parseDeleteFlag(value: unknown): DeleteFlag {
  if (value === undefined || value === null) return { ok: true, deleted: false };
  if (typeof value === 'boolean') return { ok: true, deleted: value };
  if (typeof value === 'number' && (value === 0 || value === 1)) return { ok: true, deleted: value === 1 };
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, deleted: true };
    if (FALSE_WORDS.has(word)) return { ok: true, deleted: false };
  }
  const shown =
    typeof value === 'string'
      ? `"${value.slice(0, 40)}"`
      : (JSON.stringify(value)?.slice(0, 40) ?? typeof value);
  return {
    ok: false,
    problem: `_isDeleted is ${shown}, which is not a yes/no value; use true, 1 or yes to delete and false, 0, no or empty to upsert`,
  };
}
