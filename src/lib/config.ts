import { z } from 'zod';

import { AppError } from './app-error';
import { parsePortalUrl, type PortalOrigin } from './portal-url';
import type { SettingsStore } from './runtime-ports';

// One schema for what the settings form stores, used by the lifecycle (to validate and save),
// the schema function and deliver() (to load), so the three cannot disagree.
// Settings rows are keyed by form section; credentials live only in the secrets store.

export const SECTION = {
  connection: 'connection',
  records: 'records',
  throughput: 'throughput',
  try_record: 'try_record',
} as const;

export const DEFAULTS = {
  authMethod: 'permanent_token',
  primaryKey: 'asset_id',
  deletePolicy: 'archive',
  emptyValues: 'leave',
  unknownOptions: 'reject',
  requestsPerSecond: 10,
  maxInFlight: 5,
  changeDetection: 'read_first',
  maxFileMb: 1_024,
  missingAssets: 'reject',
  // The mass-delete threshold, per sync and hour. An incremental sync deletes a few records an hour;
  // a filter or mapping gone wrong deletes the whole catalogue at once. 1,000 lets a real cleanup
  // through in an hour or two (releasing the rest, or raising the setting) while stopping a wrong
  // one after 1,000 assets: under two minutes of Bynder's rate at the default 10 requests/s, and
  // with the default policy "archive" reversible by hand.
  maxDeletesPerHour: 1_000,
} as const;

export const LIMITS = {
  requestsPerSecond: { min: 1, max: 15 },
  maxInFlight: { min: 1, max: 10 },
  // A file is streamed, never held whole, so memory does not bound it; time does. 1 GB holds
  // print-quality product images and most product videos; 10 GB is past what one delivery can
  // stream and upload before OCP gives up on it.
  maxFileMb: { min: 1, max: 10_240 },
  // 0 turns the threshold off; a million an hour is past what Bynder's rate limit lets one install send.
  maxDeletesPerHour: { min: 0, max: 1_000_000 },
} as const;

/** The file size setting is in MB of 1,048,576 bytes (what file managers call MB, strictly MiB). */
export const BYTES_PER_MB = 1024 * 1024;

/** `a, b or c` */
export function joinWords(words: readonly string[], last: 'and' | 'or'): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;
}

/**
 * Shared by the form and parseConfig: a created asset must be found again by its key, and only an
 * external key is written into the asset itself (an asset id is Bynder's to choose).
 */
export const CREATE_NEEDS_EXTERNAL_KEY_MESSAGE =
  'Records whose asset does not exist is set to "create the asset", which needs "Match records to assets by" set to "External key": a new asset is found again only by the key written into it, and Bynder chooses the asset id. Choose the external key, or set "Records whose asset does not exist" to "reject the record"';

/** Shared by the form and parseConfig: a new asset is saved into a brand. */
export const MISSING_BRAND_MESSAGE =
  'Brand of new assets is empty; enter the id of the Bynder brand new assets are saved into (saving lists the portal\'s brands), or set "Records whose asset does not exist" to "reject the record"';

/** Shared by the form and parseConfig: external-key mode needs the metaproperty to match on. */
export const MISSING_EXTERNAL_KEY_MESSAGE =
  'External key metaproperty is empty; enter the Bynder name of the text metaproperty to match on, or match by Bynder asset id';

const trimmed = z.string().trim();
// A blank form value means "not set", so the default applies.
const blankToUndefined = (value: unknown): unknown =>
  value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;
// Form values arrive as strings; numbers are accepted too. Only whole numbers in range pass.
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .union([z.number(), trimmed.regex(/^[+-]?\d+(\.\d+)?$/, 'must be a whole number').transform(Number)], {
        error: 'must be a whole number',
      })
      .pipe(
        z
          .number()
          .int('must be a whole number')
          .min(min, `must be at least ${min}`)
          .max(max, `must be at most ${max}`),
      )
      .optional()
      .transform((n) => n ?? fallback),
  );
const withDefault = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(values, {
        error: (issue) =>
          `has "${String(issue.input)}", which is not a choice; choose ${joinWords(values, 'or')}`,
      })
      .optional()
      .transform((v): T[number] => v ?? fallback),
  );

export const connectionSettingsSchema = z.object({
  // A missing portal reads as empty, so it gets parsePortalUrl's "is empty; enter ..." message.
  // The output is the normalised origin, so no caller has to parse the portal a second time.
  portal: z.preprocess(
    (value) => value ?? '',
    z.string('must be text').transform((value, ctx) => {
      const parsed = parsePortalUrl(value);
      if (parsed.ok) return parsed.origin;
      ctx.addIssue({ code: 'custom', message: `Portal ${parsed.problem}` });
      return z.NEVER;
    }),
  ),
  auth_method: withDefault(['permanent_token', 'oauth_client_credentials'], DEFAULTS.authMethod),
});

/**
 * The shortest value taken for a credential. Bynder documents no format for permanent tokens, OAuth
 * client ids or client secrets, so this is an assumption, set well below what Bynder issues (client
 * ids are UUIDs, 36 characters; tokens and secrets are longer still) and well above what a test
 * value or a typing slip tends to be. Redaction depends on it: a one-letter "secret" would be
 * replaced inside every word that holds the letter.
 */
export const MIN_CREDENTIAL_LENGTH = 16;

/** Why `value` cannot be a Bynder credential (a phrase to follow the field's name), or undefined. */
export function describeShortCredential(value: string): string | undefined {
  const length = [...value].length;
  if (length >= MIN_CREDENTIAL_LENGTH) return undefined;
  return (
    `is ${length} character${length === 1 ? '' : 's'} long, too short for a Bynder credential: ` +
    `this app takes at least ${MIN_CREDENTIAL_LENGTH} characters (an assumption, since Bynder documents no format; ` +
    `the credentials it issues are longer); paste the whole value`
  );
}

// A blank secret means "not set"; a set one is a whole credential. The message starts with the
// field's label (read when a value is refused, so SETTING_LABELS below is defined by then).
const credentialValue = (field: 'token' | 'client_id' | 'client_secret') =>
  z.preprocess(
    blankToUndefined,
    trimmed
      .refine((value) => describeShortCredential(value) === undefined, {
        error: (issue) =>
          `${SETTING_LABELS[field] ?? field} ${describeShortCredential(String(issue.input)) ?? 'is too short'}`,
      })
      .optional(),
  );

export const connectionSecretsSchema = z.object({
  token: credentialValue('token'),
  client_id: credentialValue('client_id'),
  client_secret: credentialValue('client_secret'),
});

export const recordsSettingsSchema = z.object({
  primary_key: withDefault(['asset_id', 'external_key'], DEFAULTS.primaryKey),
  external_key_metaproperty: z.preprocess(blankToUndefined, trimmed.optional()),
  missing_assets: withDefault(['reject', 'create'], DEFAULTS.missingAssets),
  brand_id: z.preprocess(blankToUndefined, trimmed.optional()),
  file_fingerprint_metaproperty: z.preprocess(blankToUndefined, trimmed.optional()),
  delete_policy: withDefault(['archive', 'delete', 'ignore'], DEFAULTS.deletePolicy),
  empty_values: withDefault(['leave', 'clear'], DEFAULTS.emptyValues),
  unknown_options: withDefault(['reject', 'drop', 'create'], DEFAULTS.unknownOptions),
  max_file_mb: wholeNumber(LIMITS.maxFileMb.min, LIMITS.maxFileMb.max, DEFAULTS.maxFileMb),
  // One `field: value` per line (src/lib/fields/fixed-values.ts reads them). In the Records row, not
  // a section of their own: every batch reads each section's row, and a fifth would cost it a call.
  fixed_values: z.preprocess((value) => value ?? '', z.string('must be text, one "field: value" per line')),
  max_deletes_per_hour: wholeNumber(
    LIMITS.maxDeletesPerHour.min,
    LIMITS.maxDeletesPerHour.max,
    DEFAULTS.maxDeletesPerHour,
  ),
});

export const throughputSettingsSchema = z.object({
  requests_per_second: wholeNumber(
    LIMITS.requestsPerSecond.min,
    LIMITS.requestsPerSecond.max,
    DEFAULTS.requestsPerSecond,
  ),
  max_in_flight: wholeNumber(LIMITS.maxInFlight.min, LIMITS.maxInFlight.max, DEFAULTS.maxInFlight),
  change_detection: withDefault(['read_first', 'write_all'], DEFAULTS.changeDetection),
});

/**
 * The stored request budget (the default until one is saved), for requests sent outside deliver()
 * (settings-form actions), which share the install's budget with every running delivery.
 */
export async function readRequestsPerSecond(settings: {
  get(key: string): Promise<Record<string, unknown>>;
}): Promise<number> {
  const stored = throughputSettingsSchema.safeParse(await settings.get(SECTION.throughput));
  return stored.success ? stored.data.requests_per_second : DEFAULTS.requestsPerSecond;
}

/** Stored rows as the schemas output them (defaults filled in). */
export type ConnectionSettings = z.output<typeof connectionSettingsSchema>;
export type ConnectionSecrets = z.output<typeof connectionSecretsSchema>;
export type RecordsSettings = z.output<typeof recordsSettingsSchema>;
export type ThroughputSettings = z.output<typeof throughputSettingsSchema>;

export type Credentials =
  | { kind: 'permanent_token'; token: string }
  | { kind: 'oauth_client_credentials'; clientId: string; clientSecret: string };

export type PrimaryKey = { kind: 'asset_id' } | { kind: 'external_key'; metaproperty: string };

/**
 * What a record whose asset does not exist does: rejected, or its asset created from the record's
 * file (external-key mode only) into `brandId`.
 */
export type MissingAssets = { kind: 'reject' } | { kind: 'create'; brandId: string };

export interface WritePolicy {
  deletePolicy: 'archive' | 'delete' | 'ignore';
  emptyValues: 'leave' | 'clear';
  /** 'create': a value that is not an option becomes one (POST .../options/), when the token may. */
  unknownOptions: 'reject' | 'drop' | 'create';
}

export interface AppConfig extends WritePolicy {
  /** Normalised origin, e.g. `https://acme.bynder.com`. */
  portalUrl: PortalOrigin;
  credentials: Credentials;
  primaryKey: PrimaryKey;
  requestsPerSecond: number;
  maxInFlight: number;
  /**
   * `read_first`: read the targeted assets in bulk and send only what differs from what Bynder
   * holds; `write_all`: send every planned write without reading.
   */
  changeDetection: 'read_first' | 'write_all';
  /** The largest file the app fetches from a record's URL for upload, in bytes ("Largest file to upload"). */
  maxFileBytes: number;
  /** The fixed values as stored: one `field: value` per line ('' for none). */
  fixedValuesText: string;
  /** "Records whose asset does not exist". */
  missingAssets: MissingAssets;
  /**
   * The text metaproperty (Bynder name) that holds what an asset's file was created or last
   * versioned from; set, a record whose file_url or file_version differs makes a new version.
   */
  fileFingerprintMetaproperty: string | undefined;
  /**
   * "Deletes and archives per hour": past this many per sync in the last hour, deletes and archives
   * are held instead of sent (state/held-deletes.ts); 0: no limit.
   */
  maxDeletesPerHour: number;
}

/** The app is not (fully) configured. The message says what is missing and where to fix it. */
export class ConfigError extends AppError {
  public override name = 'ConfigError';
  public readonly retryable = false;
}

export interface ConfigStores {
  settings: SettingsStore;
  secrets: SettingsStore;
}

/** The section titles of forms/settings.yml, for messages that send a person there. */
export const SECTION_TITLES: Readonly<Record<keyof typeof SECTION, string>> = {
  connection: 'Connect to Bynder',
  records: 'Records',
  throughput: 'Throughput',
  try_record: 'Try a record',
};

/**
 * Picks the credentials of the chosen sign-in method from the secrets row, or says what is missing.
 * The form (to decide what to test) and parseConfig (to load) share it.
 */
export function credentialsFromSecrets(
  authMethod: ConnectionSettings['auth_method'],
  secrets: ConnectionSecrets,
): { ok: true; credentials: Credentials } | { ok: false; missing: string } {
  if (authMethod === 'permanent_token') {
    return secrets.token
      ? { ok: true, credentials: { kind: 'permanent_token', token: secrets.token } }
      : { ok: false, missing: 'Permanent token is not set' };
  }
  const { client_id: clientId, client_secret: clientSecret } = secrets;
  if (clientId && clientSecret) {
    return { ok: true, credentials: { kind: 'oauth_client_credentials', clientId, clientSecret } };
  }
  const missing = [!clientId && 'OAuth client id', !clientSecret && 'OAuth client secret'].filter(Boolean);
  return { ok: false, missing: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set` };
}

function isUnset(row: unknown): boolean {
  return row === undefined || row === null || (typeof row === 'object' && Object.keys(row).length === 0);
}

const issuesText = (error: z.ZodError): string =>
  error.issues.map((issue) => describeSettingIssue(issue).message).join('; ');

/** Turns the stored rows into an AppConfig, or throws one ConfigError naming everything missing. */
export function parseConfig(rows: {
  connection: unknown;
  secrets: unknown;
  records: unknown;
  throughput: unknown;
}): AppConfig {
  if (isUnset(rows.connection) && isUnset(rows.secrets)) {
    throw new ConfigError(
      `The Bynder app is not configured yet: open the app's settings in OCP, enter the portal and credentials in "${SECTION_TITLES.connection}" and save.`,
    );
  }
  const connection = connectionSettingsSchema.safeParse(rows.connection ?? {});
  const secrets = connectionSecretsSchema.safeParse(rows.secrets ?? {});
  const records = recordsSettingsSchema.safeParse(rows.records ?? {});
  const throughput = throughputSettingsSchema.safeParse(rows.throughput ?? {});

  const problems: Partial<Record<keyof typeof SECTION, string[]>> = {};
  const report = (section: keyof typeof SECTION, text: string) => (problems[section] ??= []).push(text);

  if (!connection.success) report('connection', issuesText(connection.error));
  let credentials: Credentials | undefined;
  if (!secrets.success) {
    // A too-short credential says so; anything else stored there is not ours to describe.
    const tooShort = secrets.error.issues.every((issue) => issue.code === 'custom');
    report(
      'connection',
      tooShort ? issuesText(secrets.error) : 'Stored credentials are unreadable; enter them again',
    );
  } else {
    const authMethod = connection.success ? connection.data.auth_method : DEFAULTS.authMethod;
    const picked = credentialsFromSecrets(authMethod, secrets.data);
    if (picked.ok) credentials = picked.credentials;
    else report('connection', picked.missing);
  }
  if (!records.success) report('records', issuesText(records.error));
  else if (records.data.primary_key === 'external_key' && !records.data.external_key_metaproperty) {
    report('records', MISSING_EXTERNAL_KEY_MESSAGE);
  }
  if (records.success && records.data.missing_assets === 'create') {
    if (records.data.primary_key !== 'external_key') report('records', CREATE_NEEDS_EXTERNAL_KEY_MESSAGE);
    else if (!records.data.brand_id) report('records', MISSING_BRAND_MESSAGE);
  }
  if (!throughput.success) report('throughput', issuesText(throughput.error));

  // Every failed check above reported a problem; the other conditions only narrow the types.
  const hasProblems = Object.keys(problems).length > 0;
  if (hasProblems || !connection.success || !credentials || !records.success || !throughput.success) {
    const sections = Object.keys(problems) as Array<keyof typeof SECTION>;
    const details = sections.map((s) => `${SECTION_TITLES[s]}: ${(problems[s] ?? []).join('; ')}`).join('. ');
    const where = joinWords(
      sections.map((s) => `"${SECTION_TITLES[s]}"`),
      'and',
    );
    throw new ConfigError(
      `The Bynder app is not fully configured. ${details}. Open the app's settings in OCP, fix ${where} and save.`,
    );
  }
  const r = records.data;
  return {
    portalUrl: connection.data.portal,
    credentials,
    primaryKey:
      r.primary_key === 'external_key' && r.external_key_metaproperty
        ? { kind: 'external_key', metaproperty: r.external_key_metaproperty }
        : { kind: 'asset_id' },
    deletePolicy: r.delete_policy,
    emptyValues: r.empty_values,
    unknownOptions: r.unknown_options,
    requestsPerSecond: throughput.data.requests_per_second,
    maxInFlight: throughput.data.max_in_flight,
    changeDetection: throughput.data.change_detection,
    maxFileBytes: r.max_file_mb * BYTES_PER_MB,
    fixedValuesText: r.fixed_values,
    missingAssets:
      r.missing_assets === 'create' && r.brand_id
        ? { kind: 'create', brandId: r.brand_id }
        : { kind: 'reject' },
    fileFingerprintMetaproperty: r.file_fingerprint_metaproperty,
    maxDeletesPerHour: r.max_deletes_per_hour,
  };
}

/** Reads the settings and secrets stores (four reads) and parses them with parseConfig. */
export async function loadConfig(stores: ConfigStores): Promise<AppConfig> {
  const [connection, secrets, records, throughput] = await Promise.all([
    stores.settings.get(SECTION.connection),
    stores.secrets.get(SECTION.connection),
    stores.settings.get(SECTION.records),
    stores.settings.get(SECTION.throughput),
  ]);
  return parseConfig({ connection, secrets, records, throughput });
}

// ── Problems, as the form shows them ─────────────────────────────────────────────────────────────
// Turns a zod issue from the settings schemas above into a sentence a person can act
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
  max_file_mb: 'Largest file to upload (MB)',
  fixed_values: 'Fixed values',
  missing_assets: 'Records whose asset does not exist',
  brand_id: 'Brand of new assets',
  file_fingerprint_metaproperty: 'File fingerprint metaproperty',
  max_deletes_per_hour: 'Deletes and archives per hour',
  requests_per_second: 'Requests per second',
  max_in_flight: 'Requests in flight',
  change_detection: 'Before writing',
  record: 'Record',
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
