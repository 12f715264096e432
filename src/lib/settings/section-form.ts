import type { z } from 'zod';

import { describeSettingIssue, type FieldProblem } from './setting-issue';

export type SectionFormResult<T> = { ok: true; values: T } | { ok: false; problems: FieldProblem[] };

/** Parses one submitted form section with its stored-settings schema; problems name the field. */
export function readSectionForm<S extends z.ZodType>(
  schema: S,
  formData: unknown,
): SectionFormResult<z.output<S>> {
  const parsed = schema.safeParse(formData ?? {});
  if (parsed.success) return { ok: true, values: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(describeSettingIssue) };
}
