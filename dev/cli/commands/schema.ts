import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { type Command, Option } from 'commander';

import type { MetapropertyListing } from '../../../src/lib/bynder/api-types';
import { BynderClient } from '../../../src/lib/bynder/BynderClient';
import { metapropertyListingSchema } from '../../../src/lib/bynder/response-schemas';
import type { Credentials, PrimaryKey } from '../../../src/lib/config';
import type { Field, FieldModel } from '../../../src/lib/fields/field';
import { buildFieldModel } from '../../../src/lib/fields/field-model';
import { toDestinationSchema } from '../../../src/lib/fields/destination-schema';
import { parsePortalUrl } from '../../../src/lib/portal-url';
import type { Logger } from '../../../src/lib/runtime-ports';
import { DEMO_PORTAL_PATH } from '../../bynder-emulator/seed';
import { withEmulator } from '../../bynder-emulator/with-emulator';
import { describeFileProblem } from '../file-problem';
import { DESTINATION_KEY } from '../sync/mapping/destination-fields';
import { CREDENTIAL_ENV } from '../sync/targets/portal-target';
import { exitCode } from '../exit-codes';

// `schema`: the field list the Sync Manager would show, from the embedded emulator (demo portal by
// default), another seed, a real portal, or a saved metaproperties response (no network at all).

interface SchemaOptions {
  json?: boolean;
  seed?: string;
  portal?: string;
  metapropertiesFile?: string;
  primaryKey: 'asset_id' | 'external_key';
  externalKeyMetaproperty?: string;
  verbose?: boolean;
}

/** Errors a person fixes by changing the command line or a file: printed without a stack. */
class SchemaCommandError extends Error {
  public override name = 'SchemaCommandError';
}

function stderrLogger(verbose: boolean): Logger {
  const write =
    (level: string) =>
    (...args: unknown[]) =>
      process.stderr.write(`${level}: ${args.map(String).join(' ')}\n`);
  const quiet = () => undefined;
  return {
    debug: quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warning'),
    error: write('error'),
  };
}

async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SchemaCommandError(`${describeFileProblem(what, file, error)}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SchemaCommandError(`${what} "${file}" is not valid JSON: ${(error as Error).message}.`);
  }
}

/**
 * A saved `GET /api/v4/metaproperties/` answer: an object keyed by name (an array is accepted too),
 * read as the client reads the live listing, so an entry it cannot read is left out and reported.
 */
async function readMetapropertiesFile(file: string): Promise<MetapropertyListing> {
  const body = await readJsonFile(file, '--metaproperties-file');
  const parsed = metapropertyListingSchema.safeParse(body);
  if (!parsed.success) {
    throw new SchemaCommandError(
      `The metaproperties file "${file}" is not a GET /api/v4/metaproperties/ response (an object of metaproperties keyed by name, each with id, name and type).`,
    );
  }
  for (const entry of parsed.data.skipped) {
    process.stderr.write(
      `Left out "${entry.name ?? entry.id ?? entry.key}" of ${file}, which cannot be read: ${entry.problem}\n`,
    );
  }
  return parsed.data;
}

function credentialsFromEnv(): Credentials {
  const token = process.env[CREDENTIAL_ENV.token]?.trim();
  const clientId = process.env[CREDENTIAL_ENV.clientId]?.trim();
  const clientSecret = process.env[CREDENTIAL_ENV.clientSecret]?.trim();
  if (token) return { kind: 'permanent_token', token };
  if (clientId && clientSecret) return { kind: 'oauth_client_credentials', clientId, clientSecret };
  throw new SchemaCommandError(
    `--portal needs credentials: set ${CREDENTIAL_ENV.token}, or ${CREDENTIAL_ENV.clientId} and ${CREDENTIAL_ENV.clientSecret}, in the environment.`,
  );
}

async function listFromPortal(portal: string, logger: Logger): Promise<MetapropertyListing> {
  const parsed = parsePortalUrl(portal);
  if (!parsed.ok) throw new SchemaCommandError(`--portal ${parsed.problem}`);
  return new BynderClient({
    portalUrl: parsed.origin,
    credentials: credentialsFromEnv(),
    logger,
  }).listMetaproperties();
}

async function listFromEmulator(seedFile: string, logger: Logger): Promise<MetapropertyListing> {
  // startEmulator reads the seed before it listens: a missing or broken file fails with its name.
  return withEmulator({ port: 0, seed: seedFile }, (emulator) => {
    const credentials: Credentials = { kind: 'permanent_token', token: emulator.token };
    const portal = parsePortalUrl(emulator.url);
    if (!portal.ok) throw new SchemaCommandError(`the emulator's ${portal.problem}`);
    return new BynderClient({ portalUrl: portal.origin, credentials, logger }).listMetaproperties();
  });
}

function primaryKeyOf(options: SchemaOptions): PrimaryKey {
  if (options.primaryKey === 'asset_id') {
    if (options.externalKeyMetaproperty) {
      throw new SchemaCommandError('--external-key-metaproperty needs --primary-key external_key.');
    }
    return { kind: 'asset_id' };
  }
  if (!options.externalKeyMetaproperty) {
    throw new SchemaCommandError(
      '--primary-key external_key needs --external-key-metaproperty NAME (a text metaproperty).',
    );
  }
  return { kind: 'external_key', metaproperty: options.externalKeyMetaproperty };
}

function bynderTypeOf(field: Field): string {
  const { target } = field;
  if (target.kind === 'asset_id') return 'asset id';
  if (target.kind === 'standard') return `asset ${target.property}`;
  if (target.kind === 'file') return 'file (uploaded, not modified)';
  return target.multiple ? `${target.type} (multi)` : target.type;
}

function notesOf(field: Field): string {
  const notes: string[] = [];
  if (field.primary) notes.push('primary');
  if (field.target.kind === 'metaproperty') {
    if (field.target.required) notes.push('required in Bynder');
    notes.push(`bynder name: ${field.target.name}`);
  }
  return notes.join(', ');
}

function renderTable(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function renderModel(model: FieldModel, source: string): string {
  const header = ['FIELD', 'TYPE', 'DISPLAY NAME', 'BYNDER TYPE', 'OPTIONS', 'NOTES'];
  const rows = model.fields.map((field) => [
    field.name,
    field.type,
    field.displayName,
    bynderTypeOf(field),
    field.target.kind === 'metaproperty' && field.target.optionCount > 0
      ? field.target.optionCount.toLocaleString('en-US')
      : '',
    notesOf(field),
  ]);
  const lines = [
    `${DESTINATION_KEY}: ${model.fields.length} fields from ${source}`,
    '',
    renderTable([header, ...rows]),
  ];
  if (model.leftOut.length > 0) {
    lines.push(
      '',
      `Left out (${model.leftOut.length}):`,
      ...model.leftOut.map((entry) => `  ${entry.name}: ${entry.reason}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function runSchema(options: SchemaOptions): Promise<void> {
  const sources = [options.seed, options.portal, options.metapropertiesFile].filter(
    (value) => value !== undefined,
  );
  if (sources.length > 1) {
    throw new SchemaCommandError('Choose one source: --seed, --portal or --metaproperties-file.');
  }
  const primaryKey = primaryKeyOf(options);
  const logger = stderrLogger(options.verbose ?? false);

  let listing: MetapropertyListing;
  let source: string;
  if (options.metapropertiesFile) {
    listing = await readMetapropertiesFile(options.metapropertiesFile);
    source = options.metapropertiesFile;
  } else if (options.portal) {
    listing = await listFromPortal(options.portal, logger);
    source = options.portal;
  } else {
    const seed = options.seed ?? DEMO_PORTAL_PATH;
    listing = await listFromEmulator(seed, logger);
    source = `the emulator seeded with ${path.relative(process.cwd(), seed) || seed}`;
  }

  const model = buildFieldModel(listing.metaproperties, {
    primaryKey,
    logger,
    fetchedAt: Date.now(),
    skipped: listing.skipped,
  });
  const schema = toDestinationSchema(model, DESTINATION_KEY);
  process.stdout.write(options.json ? `${JSON.stringify(schema, null, 2)}\n` : renderModel(model, source));
}

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the field list the Sync Manager shows for Bynder Assets (the DestinationSchema).')
    .option('--json', 'print exactly the DestinationSchema as JSON (nothing else on stdout)')
    .option('--seed <file>', 'start the embedded emulator with this seed instead of examples/portal.json')
    .option(
      '--portal <url>',
      'a real portal; credentials from BYNDER_TOKEN or BYNDER_CLIENT_ID + BYNDER_CLIENT_SECRET',
    )
    .option(
      '--metaproperties-file <file>',
      'a saved GET /api/v4/metaproperties/ response (keyed by name, options included); no network',
    )
    .addOption(
      new Option('--primary-key <kind>', 'how records find assets')
        .choices(['asset_id', 'external_key'])
        .default('asset_id'),
    )
    .option(
      '--external-key-metaproperty <name>',
      'with --primary-key external_key: the text metaproperty (Bynder name) to match on',
    )
    .option('--verbose', 'also print info log lines (e.g. left-out metaproperties) on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Sources (one at most; default: the embedded emulator with examples/portal.json, on a free loopback port):',
        '  --seed FILE                 another emulator seed',
        '  --portal URL                a real Bynder portal (needs BYNDER_TOKEN, or BYNDER_CLIENT_ID and BYNDER_CLIENT_SECRET)',
        '  --metaproperties-file FILE  a saved metaproperties response, read offline',
        '',
        'Examples:',
        '  npm run cli -- schema',
        '  npm run cli -- schema --json > schema.json',
        '  npm run cli -- schema --metaproperties-file saved.json --primary-key external_key --external-key-metaproperty sku',
      ].join('\n'),
    )
    .action(async (options: SchemaOptions) => {
      try {
        await runSchema(options);
      } catch (error) {
        // Known, fixable problems print as one line; ConfigError and Bynder errors already say what to fix.
        process.stderr.write(`schema: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = exitCode('notStarted');
      }
    });
}
