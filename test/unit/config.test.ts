import { describe, expect, it } from 'vitest';

import {
  ConfigError,
  connectionSettingsSchema,
  DEFAULTS,
  describeSettingIssue,
  loadConfig,
  parseConfig,
  recordsSettingsSchema,
  throughputSettingsSchema,
} from '../../src/lib/config';
import { readSectionForm } from '../../src/lib/settings/settings-form';

const connection = { portal: 'acme.bynder.com', auth_method: 'permanent_token' };
const TOKEN = 'config-test-token-3e9a1c7f';
const CLIENT_ID = '7b2e9f41-3c6d-4a8e-b5f0-2d1c9e8a7b63';
const CLIENT_SECRET = 'config-client-secret-5d8b';
const secrets = { token: TOKEN };

function configError(rows: Partial<Parameters<typeof parseConfig>[0]>): string {
  try {
    parseConfig({ connection, secrets, records: {}, throughput: {}, ...rows });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('parseConfig accepted the rows');
}

describe('parseConfig', () => {
  it('fills every default from a minimal configuration', () => {
    expect(parseConfig({ connection, secrets, records: {}, throughput: {} })).toEqual({
      portalUrl: 'https://acme.bynder.com',
      credentials: { kind: 'permanent_token', token: TOKEN },
      primaryKey: { kind: 'asset_id' },
      deletePolicy: DEFAULTS.deletePolicy,
      emptyValues: DEFAULTS.emptyValues,
      unknownOptions: DEFAULTS.unknownOptions,
      requestsPerSecond: DEFAULTS.requestsPerSecond,
      maxInFlight: DEFAULTS.maxInFlight,
      changeDetection: 'read_first',
      maxFileBytes: DEFAULTS.maxFileMb * 1024 * 1024,
      fixedValuesText: '',
      missingAssets: { kind: 'reject' },
      fileFingerprintMetaproperty: undefined,
      maxDeletesPerHour: DEFAULTS.maxDeletesPerHour,
    });
  });

  it('creates missing assets only by external key and into a brand', () => {
    const byKey = { primary_key: 'external_key', external_key_metaproperty: 'sku' };
    const config = parseConfig({
      connection,
      secrets,
      records: { ...byKey, missing_assets: 'create', brand_id: ' B1 ' },
      throughput: {},
    });
    expect(config.missingAssets).toEqual({ kind: 'create', brandId: 'B1' });
    expect(() =>
      parseConfig({
        connection,
        secrets,
        records: { missing_assets: 'create', brand_id: 'B1' },
        throughput: {},
      }),
    ).toThrow(/"create the asset", which needs "Match records to assets by" set to "External key"/);
    expect(() =>
      parseConfig({ connection, secrets, records: { ...byKey, missing_assets: 'create' }, throughput: {} }),
    ).toThrow(/Brand of new assets is empty/);
    expect(() =>
      parseConfig({ connection, secrets, records: { missing_assets: 'upload' }, throughput: {} }),
    ).toThrow(
      /Records whose asset does not exist has "upload", which is not a choice; choose reject or create/,
    );
  });

  it('reads the largest file to upload in MB of 1,048,576 bytes', () => {
    const config = parseConfig({ connection, secrets, records: { max_file_mb: '5' }, throughput: {} });
    expect(config.maxFileBytes).toBe(5 * 1024 * 1024);
  });

  it('reads OAuth client credentials and external-key mode', () => {
    const config = parseConfig({
      connection: { portal: 'https://assets.example.com/', auth_method: 'oauth_client_credentials' },
      secrets: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      records: { primary_key: 'external_key', external_key_metaproperty: ' sku ', delete_policy: 'delete' },
      throughput: { requests_per_second: '15', max_in_flight: 1 },
    });
    expect(config).toMatchObject({
      portalUrl: 'https://assets.example.com',
      credentials: { kind: 'oauth_client_credentials', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      primaryKey: { kind: 'external_key', metaproperty: 'sku' },
      deletePolicy: 'delete',
      requestsPerSecond: 15,
      maxInFlight: 1,
    });
  });

  it('gives one message, naming the section to save, when nothing is configured', () => {
    const message = configError({ connection: {}, secrets: {} });
    expect(message).toBe(
      `The Bynder app is not configured yet: open the app's settings in OCP, enter the portal and credentials in "Connect to Bynder" and save.`,
    );
    expect(configError({ connection: undefined, secrets: undefined })).toBe(message);
  });

  it('names every problem of a partial configuration in one message, grouped by section', () => {
    const message = configError({
      connection: { portal: 'http://acme.bynder.com' },
      secrets: {},
      records: { delete_policy: 'purge' },
      throughput: { requests_per_second: '20', max_in_flight: '0' },
    });
    expect(message).toBe(
      'The Bynder app is not fully configured. Connect to Bynder: Portal uses http; Bynder portals are reached over https only; Permanent token is not set. ' +
        'Records: When a record is deleted has "purge", which is not a choice; choose archive, delete or ignore. ' +
        'Throughput: Requests per second must be at most 15; Requests in flight must be at least 1. ' +
        `Open the app's settings in OCP, fix "Connect to Bynder", "Records" and "Throughput" and save.`,
    );
  });

  it('says which OAuth credential is missing', () => {
    const oauth = { portal: 'acme.bynder.com', auth_method: 'oauth_client_credentials' };
    expect(configError({ connection: oauth, secrets: { client_id: CLIENT_ID } })).toContain(
      'Connect to Bynder: OAuth client secret is not set.',
    );
    expect(configError({ connection: oauth, secrets: { client_secret: CLIENT_SECRET } })).toContain(
      'OAuth client id is not set.',
    );
    expect(configError({ connection: oauth, secrets: {} })).toContain(
      'OAuth client id and OAuth client secret are not set.',
    );
  });

  it('says the portal is empty when only credentials are stored', () => {
    expect(configError({ connection: {}, secrets })).toContain(
      'Connect to Bynder: Portal is empty; enter your portal, for example acme.bynder.com.',
    );
  });

  it('refuses unreadable stored credentials', () => {
    expect(configError({ secrets: { token: 42 } })).toContain(
      'Connect to Bynder: Stored credentials are unreadable; enter them again.',
    );
  });

  it('refuses external-key mode without a metaproperty', () => {
    expect(configError({ records: { primary_key: 'external_key' } })).toContain(
      'Records: External key metaproperty is empty; enter the Bynder name of the text metaproperty to match on, or match by Bynder asset id.',
    );
  });

  it('never puts a secret into its message', () => {
    const message = configError({ secrets: { token: TOKEN }, throughput: { max_in_flight: 'x' } });
    expect(message).not.toContain(TOKEN);
  });

  it('refuses a stored credential too short to be a Bynder credential, naming the minimum', () => {
    expect(configError({ secrets: { token: 'T' } })).toContain(
      'Connect to Bynder: Permanent token is 1 character long, too short for a Bynder credential: this app takes at least 16 characters (an assumption, since Bynder documents no format; the credentials it issues are longer); paste the whole value.',
    );
    const oauth = { portal: 'acme.bynder.com', auth_method: 'oauth_client_credentials' };
    const message = configError({
      connection: oauth,
      secrets: { client_id: 'client-1', client_secret: 'wrong' },
    });
    expect(message).toContain('OAuth client id is 8 characters long');
    expect(message).toContain('OAuth client secret is 5 characters long');
    expect(message).not.toContain('wrong');
  });

  it('loadConfig reads the four rows from the settings and secrets stores', async () => {
    const rows: Record<string, Record<string, unknown>> = { connection, records: { empty_values: 'clear' } };
    const store = (data: Record<string, Record<string, unknown>>) => ({
      get: (key: string) => Promise.resolve(data[key] ?? {}),
      put: () => Promise.resolve(true),
      patch: () => Promise.resolve({}),
      delete: () => Promise.resolve(true),
    });
    const config = await loadConfig({ settings: store(rows), secrets: store({ connection: secrets }) });
    expect(config).toMatchObject({ portalUrl: 'https://acme.bynder.com', emptyValues: 'clear' });
  });
});

describe('settings schemas: each field error and its message', () => {
  const messages = (schema: Parameters<typeof readSectionForm>[0], data: unknown) => {
    const read = readSectionForm(schema, data);
    return read.ok ? [] : read.problems.map((p) => `${p.field}: ${p.message}`);
  };

  it.each([
    ['', 'portal: Portal is empty; enter your portal, for example acme.bynder.com'],
    ['http://acme.bynder.com', 'portal: Portal uses http; Bynder portals are reached over https only'],
    ['ftp://acme.bynder.com', 'portal: Portal uses ftp; Bynder portals are reached over https only'],
    [
      'https://user:pw@acme.bynder.com',
      'portal: Portal must not contain a user name or password; put credentials in their own fields',
    ],
    [
      'https://203.0.113.7',
      'portal: Portal is an IP address; enter the portal host name, such as acme.bynder.com',
    ],
    ['[2001:db8::1]', 'portal: Portal is an IP address; enter the portal host name, such as acme.bynder.com'],
    ['acme', 'portal: Portal "acme" is not a valid host name; enter one such as acme.bynder.com'],
    [
      'https://acme.bynder.com/media?x=1',
      'portal: Portal must be the portal address only, without a path or query (e.g. https://acme.bynder.com)',
    ],
    ['https://', 'portal: Portal is not a web address; enter a host name such as acme.bynder.com'],
  ])('portal %j', (portal, message) => {
    expect(messages(connectionSettingsSchema, { portal })).toEqual([message]);
  });

  it('refuses an unknown sign-in method', () => {
    expect(messages(connectionSettingsSchema, { portal: 'acme.bynder.com', auth_method: 'saml' })).toEqual([
      'auth_method: Sign in with has "saml", which is not a choice; choose permanent_token or oauth_client_credentials',
    ]);
  });

  it.each([
    [
      'primary_key',
      'guid',
      'Match records to assets by has "guid", which is not a choice; choose asset_id or external_key',
    ],
    [
      'delete_policy',
      'purge',
      'When a record is deleted has "purge", which is not a choice; choose archive, delete or ignore',
    ],
    ['empty_values', 'null', 'Empty values has "null", which is not a choice; choose leave or clear'],
    [
      'unknown_options',
      'keep',
      'Values that are not an option has "keep", which is not a choice; choose reject, drop or create',
    ],
  ])('records %s = %j', (field, value, message) => {
    expect(messages(recordsSettingsSchema, { [field]: value })).toEqual([`${field}: ${message}`]);
  });

  it.each([
    // Boundaries: 1 and 15 pass, 0 and 16 fail; decimals and words are not whole numbers.
    [{ requests_per_second: '0' }, 'requests_per_second: Requests per second must be at least 1'],
    [{ requests_per_second: 16 }, 'requests_per_second: Requests per second must be at most 15'],
    [{ requests_per_second: '-3' }, 'requests_per_second: Requests per second must be at least 1'],
    [{ requests_per_second: '2.5' }, 'requests_per_second: Requests per second must be a whole number'],
    [{ requests_per_second: 'ten' }, 'requests_per_second: Requests per second must be a whole number'],
    [{ requests_per_second: true }, 'requests_per_second: Requests per second must be a whole number'],
    [{ max_in_flight: 0 }, 'max_in_flight: Requests in flight must be at least 1'],
    [{ max_in_flight: '11' }, 'max_in_flight: Requests in flight must be at most 10'],
  ])('throughput %j', (data, message) => {
    expect(messages(throughputSettingsSchema, data)).toEqual([message]);
  });

  it('accepts the boundaries and turns blanks into the defaults', () => {
    expect(throughputSettingsSchema.parse({ requests_per_second: '1', max_in_flight: 10 })).toEqual({
      requests_per_second: 1,
      max_in_flight: 10,
      change_detection: 'read_first',
    });
    expect(throughputSettingsSchema.parse({ requests_per_second: 15, max_in_flight: '1' })).toEqual({
      requests_per_second: 15,
      max_in_flight: 1,
      change_detection: 'read_first',
    });
    expect(throughputSettingsSchema.parse({ requests_per_second: ' ', max_in_flight: null })).toEqual({
      requests_per_second: DEFAULTS.requestsPerSecond,
      max_in_flight: DEFAULTS.maxInFlight,
      change_detection: DEFAULTS.changeDetection,
    });
    expect(recordsSettingsSchema.parse({ delete_policy: '', external_key_metaproperty: '  ' })).toEqual({
      primary_key: 'asset_id',
      external_key_metaproperty: undefined,
      delete_policy: 'archive',
      empty_values: 'leave',
      unknown_options: 'reject',
      max_file_mb: DEFAULTS.maxFileMb,
      missing_assets: 'reject',
      brand_id: undefined,
      file_fingerprint_metaproperty: undefined,
      fixed_values: '',
      max_deletes_per_hour: DEFAULTS.maxDeletesPerHour,
    });
    expect(recordsSettingsSchema.parse({ max_deletes_per_hour: '0' }).max_deletes_per_hour).toBe(0);
    expect(recordsSettingsSchema.parse({ max_deletes_per_hour: '1000000' }).max_deletes_per_hour).toBe(
      1_000_000,
    );
    expect(recordsSettingsSchema.safeParse({ max_deletes_per_hour: '-1' }).success).toBe(false);
    expect(recordsSettingsSchema.parse({ max_file_mb: '10240' }).max_file_mb).toBe(10_240);
    expect(recordsSettingsSchema.parse({ max_file_mb: 1 }).max_file_mb).toBe(1);
  });

  it.each([
    ['0', 'Largest file to upload (MB) must be at least 1'],
    ['10241', 'Largest file to upload (MB) must be at most 10240'],
    ['1.5', 'Largest file to upload (MB) must be a whole number'],
    ['lots', 'Largest file to upload (MB) must be a whole number'],
  ])('refuses a largest file of %s MB: "%s"', (value, message) => {
    const parsed = recordsSettingsSchema.safeParse({ max_file_mb: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => describeSettingIssue(issue).message)).toEqual([message]);
  });
});
