import { kindOf } from '../fields/describe-value';
import { textProblem } from '../fields/text-value';
import type { AssetItem } from './asset-item';

// A record's key (its primary field's value) identifies the asset, names the record in every message
// and groups events for deduplication. Only keys we can show safely are usable here; what a key must
// look like is the primary field's own rule (an asset id's shape, or an external key's text), and
// the client sends every id as exactly one path segment.

/** Keys longer than this are not Bynder ids nor sensible external keys. */
export const MAX_KEY_LENGTH = 512;
/** Messages show at most this much of a key. */
const SHOWN_KEY_LENGTH = 40;

export type KeyReading = { ok: true; key: string } | { ok: false; problem: string };

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Reads the primary field of a record: a non-empty string (or a finite number), trimmed. */
export function readRecordKey(item: AssetItem, primaryField: string): KeyReading {
  if (!Object.hasOwn(item, primaryField)) {
    return { ok: false, problem: `no "${primaryField}" value (the primary key); every record needs one` };
  }
  const raw = item[primaryField];
  let key: string;
  if (typeof raw === 'string') key = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) key = String(raw);
  else {
    return {
      ok: false,
      problem: `"${primaryField}" must be a text value, got ${kindOf(raw)}; send the key as text`,
    };
  }
  if (key === '') {
    return { ok: false, problem: `"${primaryField}" (the primary key) is empty; every record needs one` };
  }
  if (key.length > MAX_KEY_LENGTH) {
    return {
      ok: false,
      problem: `"${primaryField}" is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`,
    };
  }
  if (CONTROL_CHARACTERS.test(key)) {
    return {
      ok: false,
      problem: `"${primaryField}" contains control characters; remove them from the source value`,
    };
  }
  const textual = textProblem(key);
  if (textual !== undefined) return { ok: false, problem: `"${primaryField}" ${textual}` };
  return { ok: true, key };
}

/** How messages name a record: `asset_id "7C1D2E3F-4444-4D55…"`, or its position when it has no usable key. */
export function describeRecord(primaryField: string, key: string | undefined, index: number): string {
  if (key === undefined) return `record #${index + 1}`;
  const shown = key.length > SHOWN_KEY_LENGTH ? `${key.slice(0, SHOWN_KEY_LENGTH)}…` : key;
  return `${primaryField} ${JSON.stringify(shown)}`;
}
