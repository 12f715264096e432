// How a source marks a delete: a `_isDeleted` column (CSV text) or field (JSON boolean or text).

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '']);

export type DeleteFlag = { ok: true; deleted: boolean } | { ok: false; problem: string };

export function parseDeleteFlag(value: unknown): DeleteFlag {
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
