import { ConfigError, SECTION_TITLES, type WritePolicy } from '../config';
import { quoteValue } from './describe-value';
import type { FieldModel } from './field';

// Fixed values: a value per field, applied to every record that carries no value for that field.
// OCP's settings forms have no list element, so they are typed into one multiline text field, one
// `field: value` per line. The field is the destination field's name (as the mapping shows it); the
// value is what a record would carry (comma-separated for a multi-select or tags). Lines starting
// with `#` and blank lines are ignored; a value may itself hold colons (only the first one splits).

export interface FixedValue {
  /** 1-based line of the settings text, so a problem can point at it. */
  line: number;
  field: string;
  value: string;
}

/** One problem of a fixed-values text: the line, the field (when there is one), what is wrong and the fix. */
export interface FixedValueProblem {
  line: number;
  field?: string;
  message: string;
}

export type FixedValuesText =
  { ok: true; values: FixedValue[] } | { ok: false; problems: FixedValueProblem[] };

/** How many fixed values one install may set: more than any schema has standard fields, far fewer than a form can hold. */
export const MAX_FIXED_VALUES = 100;

const FIELD_NAME = /^[a-z][a-z0-9_]{1,61}$/;

/** Reads the settings text into fixed values; syntax only (the field model checks the rest). */
export function parseFixedValues(text: string): FixedValuesText {
  const values: FixedValue[] = [];
  const problems: FixedValueProblem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    if (colon < 0) {
      problems.push({
        line,
        message: `line ${line} (${quoteValue(trimmed.slice(0, 60))}) has no colon; write one "field: value" per line, e.g. "campaign: Summer"`,
      });
      return;
    }
    const field = trimmed.slice(0, colon).trim();
    const value = trimmed.slice(colon + 1).trim();
    if (!FIELD_NAME.test(field)) {
      problems.push({
        line,
        message: `line ${line}: ${quoteValue(field.slice(0, 60))} is not a field name; use the field's name as the mapping shows it (lower case, digits and _), e.g. "campaign: Summer"`,
      });
      return;
    }
    if (value === '') {
      problems.push({
        line,
        field,
        message: `line ${line}: field "${field}" has no value; give one after the colon, or remove the line`,
      });
      return;
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      problems.push({
        line,
        field,
        message: `line ${line}: field "${field}" is already fixed on line ${earlier}; keep one of the two lines`,
      });
      return;
    }
    seen.set(field, line);
    values.push({ line, field, value });
  });
  if (values.length > MAX_FIXED_VALUES) {
    problems.push({
      line: values[MAX_FIXED_VALUES]!.line,
      message: `${values.length} fixed values; at most ${MAX_FIXED_VALUES} can be set, remove some lines`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** Field names like `wanted`, for the "did you mean" of an unknown field. */
function nearFieldName(model: FieldModel, wanted: string): string | undefined {
  const lower = wanted.toLowerCase();
  const byPrefix = model.fields.find((field) => field.name.startsWith(lower) || lower.startsWith(field.name));
  return (
    model.fields.find((field) => field.displayName.toLowerCase() === lower)?.name ??
    (byPrefix && byPrefix.name.length > 2 ? byPrefix.name : undefined)
  );
}

/**
 * Checks fixed values against the field model: the field must exist and must not be the primary
 * key (one fixed asset id would send every record to one asset), and the value must be one the field
 * writes. Unknown options are refused here whatever the records policy says: a fixed value that is
 * not an option would be dropped or rejected on every record.
 */
export function checkFixedValues(
  values: readonly FixedValue[],
  model: FieldModel,
  policy: Pick<WritePolicy, 'emptyValues'>,
): FixedValueProblem[] {
  const problems: FixedValueProblem[] = [];
  for (const { line, field: name, value } of values) {
    const field = model.byName.get(name);
    if (!field) {
      const near = nearFieldName(model, name);
      problems.push({
        line,
        field: name,
        message: `line ${line}: "${name}" is not a field of this destination${near ? `; did you mean "${near}"?` : ''} Use a field name as the mapping shows it.`,
      });
      continue;
    }
    if (field.primary) {
      problems.push({
        line,
        field: name,
        message: `line ${line}: "${name}" is the primary key, which finds each record's asset; it cannot be fixed. Remove the line.`,
      });
      continue;
    }
    const write = field.toWrite(value, { emptyValues: policy.emptyValues, unknownOptions: 'reject' });
    if (write.kind === 'invalid') {
      problems.push({
        line,
        field: name,
        message: `line ${line}: field "${name}": ${quoteValue(value)} ${write.problem.startsWith('"') ? `(${write.problem})` : write.problem}; fix the value on that line`,
      });
    }
  }
  return problems;
}

/** `campaign: Summer; region: EMEA` for the mapping's display. */
export function describeFixedValues(values: readonly FixedValue[]): string {
  return values.map((fixed) => `${fixed.field}: ${fixed.value}`).join('; ');
}

/**
 * The stored fixed values, for a delivery. The form refuses text that does not parse, so a stored
 * text that does not is a ConfigError saying where to fix it, never a guess at what was meant.
 */
export function readStoredFixedValues(text: string): FixedValue[] {
  const parsed = parseFixedValues(text);
  if (parsed.ok) return parsed.values;
  const problems = parsed.problems.map((problem) => problem.message).join('; ');
  throw new ConfigError(
    `The stored fixed values cannot be read: ${problems}. Open the app's settings in OCP, fix "Fixed values" in "${SECTION_TITLES.records}" and save.`,
  );
}
