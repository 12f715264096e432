import type { z } from 'zod';

import type { WritePolicy } from '../config';
import type { FieldWrite } from './field';

// Shared steps of every Field.toWrite: what counts as empty, what the empty policy makes of it,
// and how a zod failure becomes a problem text.

export type ValuePolicy = Pick<WritePolicy, 'emptyValues' | 'unknownOptions'>;

/** null, undefined, '' or whitespace, and lists holding nothing else ([] included). */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isEmptyValue);
  return false;
}

/** emptyValues 'clear' sends `formKey=` (Bynder clears the value); 'leave' sends nothing. */
export function emptyWrite(policy: ValuePolicy): FieldWrite {
  return policy.emptyValues === 'clear' ? { kind: 'clear' } : { kind: 'leave' };
}

/** The first issue's message: value schemas word their messages to stand after the field name. */
function problemOf(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'is not a valid value';
}

/**
 * Validate and encode one scalar value with `schema` (which trims and coerces losslessly).
 * `clearable: false` makes an empty value 'leave' whatever the policy (booleans: Bynder has no "unset").
 */
export function writeScalar(
  schema: z.ZodType<string>,
  value: unknown,
  policy: ValuePolicy,
  options: { clearable?: boolean } = {},
): FieldWrite {
  if (isEmptyValue(value)) return options.clearable === false ? { kind: 'leave' } : emptyWrite(policy);
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', problem: problemOf(parsed.error) };
  // e.g. tags " , " parse to nothing: as empty as an empty string.
  if (parsed.data === '') return options.clearable === false ? { kind: 'leave' } : emptyWrite(policy);
  return { kind: 'set', formValue: parsed.data, warnings: [] };
}
