import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { validateSettingsForm } from '../../dev/validate/settings-form-rules';
import {
  connectionSecretsSchema,
  connectionSettingsSchema,
  DEFAULTS,
  recordsSettingsSchema,
  SECTION,
  SECTION_TITLES,
  throughputSettingsSchema,
} from '../../src/lib/config';
import { SETTING_LABELS } from '../../src/lib/config';
import { SYNC_STATUS_SECTION } from '../../src/lib/state/sync-status';

const FILE = path.join(__dirname, '../../forms/settings.yml');

interface Element {
  type: string;
  key?: string;
  label?: string;
  help?: string;
  defaultValue?: unknown;
  options?: Array<{ text: string; value: string }>;
}
const form = parse(readFileSync(FILE, 'utf8')) as {
  sections: Array<{ key: string; label: string; elements: Element[] }>;
};
const inputs = (key: string) =>
  (form.sections.find((s) => s.key === key)?.elements ?? []).filter(
    (e) => !['instructions', 'button'].includes(e.type),
  );

describe('forms/settings.yml', () => {
  it('passes the validator that `npm run validate` runs', () => {
    expect(validateSettingsForm(FILE)).toEqual([]);
  });

  it('has the sections the stores are keyed by, titled as messages name them', () => {
    // Sync status stores no setting: its row holds the text the app writes (state/sync-status.ts).
    expect(form.sections.map((s) => s.key)).toEqual([...Object.values(SECTION), SYNC_STATUS_SECTION]);
    for (const section of form.sections.filter((s) => s.key !== SYNC_STATUS_SECTION)) {
      expect(section.label).toBe(SECTION_TITLES[section.key as keyof typeof SECTION]);
    }
  });

  it('has exactly the fields the schemas store', () => {
    const keys = (schema: { shape: object }) => Object.keys(schema.shape);
    expect(inputs('connection').map((e) => e.key)).toEqual([
      ...keys(connectionSettingsSchema),
      ...keys(connectionSecretsSchema),
    ]);
    expect(inputs('records').map((e) => e.key)).toEqual(keys(recordsSettingsSchema));
    expect(inputs('throughput').map((e) => e.key)).toEqual(keys(throughputSettingsSchema));
  });

  it('labels each field as error messages do, with help that is more than a label', () => {
    const elements = form.sections.flatMap((s) => s.elements).filter((e) => e.type !== 'instructions');
    const shortHelp = elements.filter((e) => (e.help?.length ?? 0) < 60).map((e) => e.key);
    expect(shortHelp).toEqual([]);
    // The portal's messages come from portal-url.ts and start with "Portal".
    const labelled = elements.filter((e) => e.type !== 'button' && e.key !== 'portal');
    expect(labelled.map((e) => e.label)).toEqual(labelled.map((e) => SETTING_LABELS[e.key ?? '']));
  });

  it('shows the same defaults that the schemas apply', () => {
    const byKey = new Map(form.sections.flatMap((s) => s.elements).map((e) => [e.key, e]));
    expect(byKey.get('auth_method')?.defaultValue).toBe(DEFAULTS.authMethod);
    expect(byKey.get('primary_key')?.defaultValue).toBe(DEFAULTS.primaryKey);
    expect(byKey.get('delete_policy')?.defaultValue).toBe(DEFAULTS.deletePolicy);
    expect(byKey.get('empty_values')?.defaultValue).toBe(DEFAULTS.emptyValues);
    expect(byKey.get('unknown_options')?.defaultValue).toBe(DEFAULTS.unknownOptions);
    expect(byKey.get('requests_per_second')?.defaultValue).toBe(DEFAULTS.requestsPerSecond);
    expect(byKey.get('max_in_flight')?.defaultValue).toBe(DEFAULTS.maxInFlight);
    expect(byKey.get('max_file_mb')?.defaultValue).toBe(DEFAULTS.maxFileMb);
  });

  it('offers only choices the schemas accept', () => {
    const shapes = {
      ...connectionSettingsSchema.shape,
      ...recordsSettingsSchema.shape,
      ...throughputSettingsSchema.shape,
    };
    const selects = form.sections.flatMap((s) => s.elements).filter((e) => e.type === 'select');
    const refused = selects.flatMap((element) =>
      (element.options ?? [])
        .filter((option) => !shapes[element.key as keyof typeof shapes].safeParse(option.value).success)
        .map((option) => `${element.key}=${option.value}`),
    );
    expect(selects.length).toBe(7);
    expect(refused).toEqual([]);
  });

  it('keeps credentials in secret fields, never required (empty keeps the stored value)', () => {
    const byKey = new Map(
      form.sections.flatMap((s) => s.elements).map((e) => [e.key, e as Element & { required?: boolean }]),
    );
    expect(byKey.get('token')?.type).toBe('secret');
    expect(byKey.get('client_secret')?.type).toBe('secret');
    for (const key of ['token', 'client_id', 'client_secret']) {
      expect(byKey.get(key)?.required).toBeUndefined();
    }
  });
});
