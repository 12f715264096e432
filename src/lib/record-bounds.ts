// Bounds on one batch item, checked before anything recurses over it (the applied ledger's key, the
// plan's field validators, problem texts that quote a value). OCP sends flat records: a field holds
// text, a number, a boolean or a list of those. A value nested thousands of levels deep makes
// JSON.stringify and every recursive reader throw RangeError, which would fail the whole batch on
// every retry; a record of millions of values would hold the worker for nothing. Such a record is
// rejected alone, with a reason naming the field and the limit, and its neighbours are applied.
//
// The walk is iterative (an explicit stack), so no depth can overflow it, and it stops at the first
// limit crossed, so its cost is bounded by the limits, not by the item.

/** Levels of nesting below the record: a field's list is level 1, a value in it level 2. */
export const MAX_RECORD_DEPTH = 32;
/** Values in one record, counting every list entry and object member at any level. */
export const MAX_RECORD_VALUES = 10_000;
/**
 * Characters of text in one record (values and member names). Above the largest value a field
 * accepts (100,000 characters of long text), so an over-long value is rejected by its field's own,
 * more precise rule; this bound only stops records no field could take.
 */
export const MAX_RECORD_TEXT_CHARACTERS = 2_000_000;

export type BoundsCheck =
  | { ok: true }
  | {
      ok: false;
      /** The top-level field where the limit was crossed (undefined: the record itself), cut short. */
      field: string | undefined;
      /** `<what is wrong>; <the limit>; <the fix>`, to stand after the field's name. */
      problem: string;
    };

interface Pending {
  value: unknown;
  depth: number;
  field: string | undefined;
}

const count = (n: number) => n.toLocaleString('en-US');

function outOfBounds(field: string | undefined, problem: string): BoundsCheck {
  if (field === undefined) {
    return {
      ok: false,
      field,
      problem: `the record ${problem.replace(/^takes the record past/, 'holds more than')}`,
    };
  }
  return { ok: false, field: shortName(field), problem };
}

/** A field name as a reason shows it: member names are bounded only by the text limit. */
function shortName(name: string): string {
  return name.length > 60 ? `${name.slice(0, 60)}…` : name;
}

/** Whether `item` is within the depth, value and text limits; iterative, stops at the first limit crossed. */
export function checkRecordBounds(item: unknown): BoundsCheck {
  const stack: Pending[] = [{ value: item, depth: 0, field: undefined }];
  let values = 0;
  let characters = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth, field } = next;
    if (typeof value === 'string') {
      characters += value.length;
      if (characters > MAX_RECORD_TEXT_CHARACTERS) {
        return outOfBounds(
          field,
          `takes the record past ${count(MAX_RECORD_TEXT_CHARACTERS)} characters of text, the limit per record; shorten the source values`,
        );
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_RECORD_DEPTH) {
      return outOfBounds(
        field,
        `is nested more than ${MAX_RECORD_DEPTH} levels deep, the limit per record; send text, a number, a boolean or a list of them`,
      );
    }
    const names = Array.isArray(value) ? undefined : Object.keys(value);
    const size = names?.length ?? (value as unknown[]).length;
    values += size;
    if (values > MAX_RECORD_VALUES) {
      return outOfBounds(
        field,
        `takes the record past ${count(MAX_RECORD_VALUES)} values, the limit per record; send shorter lists`,
      );
    }
    const record = value as Record<string, unknown>;
    if (names === undefined) {
      for (const entry of value as unknown[]) stack.push({ value: entry, depth: depth + 1, field });
      continue;
    }
    for (const name of names) {
      characters += name.length;
      if (characters > MAX_RECORD_TEXT_CHARACTERS) {
        return outOfBounds(
          field ?? name,
          `takes the record past ${count(MAX_RECORD_TEXT_CHARACTERS)} characters of text, the limit per record; shorten the source values`,
        );
      }
      stack.push({ value: record[name], depth: depth + 1, field: field ?? name });
    }
  }
  return { ok: true };
}

/**
 * A stable text for one item that never throws: its JSON when it is within bounds (bigints as
 * `<digits>n`, which JSON cannot carry), otherwise a marker with the reason. An item out of bounds is
 * rejected and never written, so its content need not tell batches apart.
 */
export function boundedCanonicalForm(item: unknown): string {
  const bounds = checkRecordBounds(item);
  if (!bounds.ok) return `out of bounds: ${bounds.field ?? ''} ${bounds.problem}`;
  const text = JSON.stringify(item, (_name, value: unknown) =>
    typeof value === 'bigint' ? `${value}n` : value,
  );
  // undefined, a function or a symbol as the whole item: JSON has no text for them.
  return text ?? `not JSON: ${typeof item}`;
}
