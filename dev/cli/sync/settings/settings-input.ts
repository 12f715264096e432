import { z } from 'zod';

import { CREDENTIAL_FIELDS } from '../../../../src/lib/secret-values';
import { parseYamlDocument, readInputFile } from '../yaml-file';

// The settings a run saves through the app's settings form, section by section, as an admin would in
// OCP: from a YAML file with the form's section and field keys, then flags on top. Credentials never
// come from a file or a flag: they come from the environment (real portal) or the emulator.

export const FORM_SECTIONS = ['connection', 'records', 'throughput'] as const;
export type FormSection = (typeof FORM_SECTIONS)[number];

/** Form values per section, as the form would submit them. */
export type SectionValues = Record<FormSection, Record<string, string | number | boolean>>;

const KNOWN_KEYS: Record<FormSection, readonly string[]> = {
  connection: ['portal', 'auth_method'],
  records: [
    'primary_key',
    'external_key_metaproperty',
    'delete_policy',
    'empty_values',
    'unknown_options',
    'max_file_mb',
    'missing_assets',
    'brand_id',
    'file_fingerprint_metaproperty',
    // One multiline text, `field: value` a line, as the form's field holds it.
    'fixed_values',
    'max_deletes_per_hour',
  ],
  throughput: ['requests_per_second', 'max_in_flight', 'change_detection'],
};

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a single value (text, number or true/false)',
});
const settingsFileSchema = z.strictObject({
  connection: z.record(z.string(), scalar).nullish(),
  records: z.record(z.string(), scalar).nullish(),
  throughput: z.record(z.string(), scalar).nullish(),
});

/** Flags that set one form field each. */
export interface SettingsFlags {
  deletePolicy?: string;
  emptyValues?: string;
  unknownOptions?: string;
  requestsPerSecond?: string;
  maxInFlight?: string;
  changeDetection?: string;
  primaryKey?: string;
  externalKeyMetaproperty?: string;
}

const FLAG_FIELDS: Array<[keyof SettingsFlags, FormSection, string]> = [
  ['primaryKey', 'records', 'primary_key'],
  ['externalKeyMetaproperty', 'records', 'external_key_metaproperty'],
  ['deletePolicy', 'records', 'delete_policy'],
  ['emptyValues', 'records', 'empty_values'],
  ['unknownOptions', 'records', 'unknown_options'],
  ['requestsPerSecond', 'throughput', 'requests_per_second'],
  ['maxInFlight', 'throughput', 'max_in_flight'],
  ['changeDetection', 'throughput', 'change_detection'],
];

export async function readSettingsFile(file: string): Promise<SectionValues> {
  const text = await readInputFile(file, '--settings');
  return parseSettingsFile(text, file);
}

export function parseSettingsFile(text: string, file = 'settings file'): SectionValues {
  const parsed = settingsFileSchema.safeParse(parseYamlDocument(text, file));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown section ${issue.keys.map((k) => `"${k}"`).join(', ')}; the sections are ${FORM_SECTIONS.join(', ')}`
        : `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new Error(`${file}: ${problems.join('; ')}`);
  }
  const values = emptySections();
  for (const section of FORM_SECTIONS) {
    for (const [key, value] of Object.entries(parsed.data[section] ?? {})) {
      if ((CREDENTIAL_FIELDS as readonly string[]).includes(key)) {
        throw new Error(
          `${file}: ${section}.${key} holds a credential; keep credentials out of files and set BYNDER_TOKEN ` +
            '(or BYNDER_CLIENT_ID and BYNDER_CLIENT_SECRET) in the environment instead',
        );
      }
      if (!KNOWN_KEYS[section].includes(key)) {
        throw new Error(
          `${file}: ${section}.${key} is not a setting; ${section} has ${KNOWN_KEYS[section].join(', ')}`,
        );
      }
      values[section][key] = value;
    }
  }
  return values;
}

/** The file's values with the flags on top. */
export function applySettingsFlags(base: SectionValues, flags: SettingsFlags): SectionValues {
  const values: SectionValues = {
    connection: { ...base.connection },
    records: { ...base.records },
    throughput: { ...base.throughput },
  };
  for (const [flag, section, key] of FLAG_FIELDS) {
    const value = flags[flag];
    if (value !== undefined) values[section][key] = value;
  }
  return values;
}

export function emptySections(): SectionValues {
  return { connection: {}, records: {}, throughput: {} };
}
