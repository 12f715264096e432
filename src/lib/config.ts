import { z } from 'zod';

import { parsePortalUrl } from './portal-url';
import type { SettingsStore } from './runtime-ports';

// One schema for what the settings form stores, used by the lifecycle (to validate and save),
// the schema function and deliver() (to load), so the three cannot disagree.
// Settings rows are keyed by form section; credentials live only in the secrets store.

export const SECTION = { connection: 'connection', records: 'records', throughput: 'throughput' } as const;

export const DEFAULTS = {
  authMethod: 'permanent_token',
  primaryKey: 'asset_id',
  deletePolicy: 'archive',
  emptyValues: 'leave',
  unknownOptions: 'reject',
  requestsPerSecond: 10,
  maxInFlight: 5,
} as const;

export const LIMITS = {
  requestsPerSecond: { min: 1, max: 15 },
  maxInFlight: { min: 1, max: 10 },
} as const;

const trimmed = z.string().trim();
// Form values arrive as strings; numbers are accepted too. Only whole numbers pass.
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .union([z.number(), trimmed.regex(/^\d+$/, 'must be a whole number').transform(Number)])
    .pipe(
      z
        .number()
        .int('must be a whole number')
        .min(min, `must be at least ${min}`)
        .max(max, `must be at most ${max}`),
    )
    .optional()
    .transform((n) => n ?? fallback);
const withDefault = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .union([z.enum(values), z.literal('')])
    .optional()
    .transform((v): T[number] => (v === undefined || v === '' ? fallback : v));

export const connectionSettingsSchema = z.object({
  portal: trimmed.superRefine((value, ctx) => {
    const parsed = parsePortalUrl(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `Portal ${parsed.problem}` });
  }),
  auth_method: withDefault(['permanent_token', 'oauth_client_credentials'], DEFAULTS.authMethod),
});

export const connectionSecretsSchema = z.object({
  token: trimmed.optional(),
  client_id: trimmed.optional(),
  client_secret: trimmed.optional(),
});

export const recordsSettingsSchema = z.object({
  primary_key: withDefault(['asset_id', 'external_key'], DEFAULTS.primaryKey),
  external_key_metaproperty: trimmed.optional(),
  delete_policy: withDefault(['archive', 'delete', 'ignore'], DEFAULTS.deletePolicy),
  empty_values: withDefault(['leave', 'clear'], DEFAULTS.emptyValues),
  unknown_options: withDefault(['reject', 'drop'], DEFAULTS.unknownOptions),
});

export const throughputSettingsSchema = z.object({
  requests_per_second: wholeNumber(LIMITS.requestsPerSecond.min, LIMITS.requestsPerSecond.max, DEFAULTS.requestsPerSecond),
  max_in_flight: wholeNumber(LIMITS.maxInFlight.min, LIMITS.maxInFlight.max, DEFAULTS.maxInFlight),
});

export type Credentials =
  | { kind: 'permanent_token'; token: string }
  | { kind: 'oauth_client_credentials'; clientId: string; clientSecret: string };

export type PrimaryKey = { kind: 'asset_id' } | { kind: 'external_key'; metaproperty: string };

export interface WritePolicy {
  deletePolicy: 'archive' | 'delete' | 'ignore';
  emptyValues: 'leave' | 'clear';
  unknownOptions: 'reject' | 'drop';
}

export interface AppConfig extends WritePolicy {
  /** Normalised origin, e.g. `https://acme.bynder.com`. */
  portalUrl: string;
  credentials: Credentials;
  primaryKey: PrimaryKey;
  requestsPerSecond: number;
  maxInFlight: number;
}

/** The app is not (fully) configured. The message says what is missing and where to fix it. */
export class ConfigError extends Error {
  public override name = 'ConfigError';
  public readonly retryable = false;
}

export interface ConfigStores {
  settings: SettingsStore;
  secrets: SettingsStore;
}

/** Turns the stored rows into an AppConfig, or throws one ConfigError naming everything missing. */
export function parseConfig(rows: {
  connection: unknown;
  secrets: unknown;
  records: unknown;
  throughput: unknown;
}): AppConfig {
  const problems: string[] = [];
  const connection = connectionSettingsSchema.safeParse(rows.connection ?? {});
  const secrets = connectionSecretsSchema.safeParse(rows.secrets ?? {});
  const records = recordsSettingsSchema.safeParse(rows.records ?? {});
  const throughput = throughputSettingsSchema.safeParse(rows.throughput ?? {});

  if (!connection.success) {
    problems.push(connection.error.issues.map((i) => (i.path[0] === 'portal' && i.code !== 'custom' ? 'Portal is not set' : i.message)).join('; '));
  }
  let credentials: Credentials | undefined;
  if (secrets.success && connection.success) {
    const { token, client_id: clientId, client_secret: clientSecret } = secrets.data;
    if (connection.data.auth_method === 'permanent_token') {
      if (token) credentials = { kind: 'permanent_token', token };
      else problems.push('Permanent token is not set');
    } else if (clientId && clientSecret) {
      credentials = { kind: 'oauth_client_credentials', clientId, clientSecret };
    } else {
      problems.push('OAuth client id and client secret are not both set');
    }
  } else if (!secrets.success) {
    problems.push('Stored credentials are unreadable; enter them again');
  }
  if (!records.success) problems.push(`Records settings: ${records.error.issues.map((i) => i.message).join('; ')}`);
  if (records.success && records.data.primary_key === 'external_key' && !records.data.external_key_metaproperty) {
    problems.push('Primary key is "external key" but no metaproperty to match on is chosen');
  }
  if (!throughput.success) {
    problems.push(`Throughput settings: ${throughput.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join('; ')}`);
  }
  if (problems.length > 0 || !connection.success || !credentials || !records.success || !throughput.success) {
    throw new ConfigError(`The Bynder app is not configured: ${problems.join('; ')}. Open the app's settings in OCP and save the Connection section.`);
  }
  const portal = parsePortalUrl(connection.data.portal);
  if (!portal.ok) throw new ConfigError(`Portal ${portal.problem}`);
  const r = records.data;
  return {
    portalUrl: portal.origin,
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
