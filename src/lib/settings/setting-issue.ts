import type { z } from 'zod';

// Turns a zod issue from the settings schemas (src/lib/config.ts) into a sentence a person can act
// on, naming the field as the form labels it (forms/settings.yml).

/** Form labels by field key; keep in step with forms/settings.yml. */
export const SETTING_LABELS: Readonly<Record<string, string>> = {
  portal: 'Portal',
  auth_method: 'Sign in with',
  token: 'Permanent token',
  client_id: 'OAuth client id',
  client_secret: 'OAuth client secret',
  primary_key: 'Match records to assets by',
  external_key_metaproperty: 'External key metaproperty',
  delete_policy: 'When a record is deleted',
  empty_values: 'Empty values',
  unknown_options: 'Values that are not an option',
  requests_per_second: 'Requests per second',
  max_in_flight: 'Requests in flight',
};

export interface FieldProblem {
  /** The form field key (bare, without the section). */
  field: string;
  message: string;
}

export function describeSettingIssue(issue: z.core.$ZodIssue): FieldProblem {
  const field = String(issue.path[0] ?? '');
  // Custom issues (the portal check) already read as a sentence that starts with the label.
  if (issue.code === 'custom') return { field, message: issue.message };
  const label = SETTING_LABELS[field] ?? field;
  return { field, message: `${label} ${issue.message}` };
}
