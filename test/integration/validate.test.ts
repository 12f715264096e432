import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

import { validateDestinationSchema } from '../../dev/validate/destination-schema-rules';
import { formatValidationReport, validateApp } from '../../dev/validate/run-validation';

const ROOT = path.resolve(__dirname, '../..');

// Builds this app once into a private temp dir (never the shared dist/, which other test files and
// commands may be rebuilding), then hands out cheap copies to break one thing at a time: a copy
// links dist/'s folders to the base build (so Node's require, keyed by real path, reuses the loaded
// modules) and owns only what a test changes.

interface AppCopies {
  /** The pristine build: app.yml, dist/, assets/, forms/, and node_modules linked. */
  base: string;
  /** A fresh copy of the base, changed by `breakIt`. */
  copy(name: string, breakIt: (dir: string) => void): string;
  remove(): void;
}

function buildAppCopies(): AppCopies {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bynder-app-validate-'));
  const base = path.join(work, 'base');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'scripts/build.mjs'), '--out-dir', path.join(base, 'dist')],
    {
      stdio: 'pipe',
    },
  );
  for (const item of ['app.yml', 'assets', 'forms']) {
    cpSync(path.join(ROOT, item), path.join(base, item), { recursive: true });
  }
  // dist/lib requires the runtime dependencies (zod, axios, p-limit) the way OCP's install provides them.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  return {
    base,
    copy(name, breakIt) {
      const dir = path.join(work, name);
      for (const item of ['app.yml', 'assets', 'forms', 'dist/app.yml']) {
        cpSync(path.join(base, item), path.join(dir, item), { recursive: true });
      }
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      for (const entry of readdirSync(path.join(base, 'dist'))) {
        if (entry !== 'app.yml') {
          symlinkSync(path.join(base, 'dist', entry), path.join(dir, 'dist', entry), 'dir');
        }
      }
      breakIt(dir);
      return dir;
    },
    remove: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** Turns a linked dist/ folder of a copy into its own files, so a test may change them. */
function ownBuiltFolder(dir: string, folder: string): string {
  const target = path.join(dir, 'dist', folder);
  const source = realpathSync(target);
  unlinkSync(target);
  cpSync(source, target, { recursive: true });
  return target;
}

type Yaml = Record<string, unknown>;

/** Rewrites the built manifest (dist/app.yml, the one validation reads). */
function editManifest(dir: string, edit: (manifest: Yaml & { meta: Yaml }) => void): void {
  const file = path.join(dir, 'dist/app.yml');
  const manifest = parse(readFileSync(file, 'utf8')) as Yaml & { meta: Yaml };
  edit(manifest);
  writeFileSync(file, stringify(manifest));
}

/** Rewrites a YAML file under the app root (e.g. forms/settings.yml). */
function editYaml(dir: string, file: string, edit: (document: Yaml) => void): void {
  const target = path.join(dir, file);
  const document = parse(readFileSync(target, 'utf8')) as Yaml;
  edit(document);
  writeFileSync(target, stringify(document));
}

/** Replaces a compiled module in dist/ with hand-written CommonJS. */
function replaceBuiltModule(dir: string, relativePath: string, source: string): void {
  ownBuiltFolder(dir, path.dirname(relativePath));
  writeFileSync(path.join(dir, 'dist', relativePath), source);
}

const DESTINATION = (body: string) => `"use strict";
const { Destination } = require('@zaiusinc/app-sdk');
${body}
`;

describe('validate (ocp app validate rules) on the built app and broken copies', () => {
  let app: AppCopies;
  beforeAll(() => {
    app = buildAppCopies();
    // A tsc build: seconds alone, a minute or more on a loaded machine.
  }, 180_000);
  afterAll(() => app.remove());

  const errorsOf = (name: string, breakIt: (dir: string) => void) =>
    validateApp(app.copy(name, breakIt)).errors;

  it('passes the app as it is', () => {
    expect(validateApp(app.base)).toEqual({ success: true, errors: [] });
  });

  describe('manifest shape (JSON schema, Ajv wording)', () => {
    it('rejects an unknown key inside a destination', () => {
      const errors = errorsOf('unknown-key', (dir) =>
        editManifest(dir, (m) => {
          (m.destinations as Record<string, Record<string, unknown>>).bynder_assets!.batch_size = 100;
        }),
      );
      expect(errors).toEqual([
        'Invalid app.yml: destinations/bynder_assets must NOT have additional properties (additionalProperty: "batch_size")',
      ]);
    });

    it('rejects an unknown top-level key and a missing meta key, and skips the other checks', () => {
      const errors = errorsOf('missing-vendor', (dir) =>
        editManifest(dir, (m) => {
          delete m.meta.vendor;
          m.meta.app_id = 'Not Valid'; // would fail meta rules, which do not run after a shape error
          m.batching = true;
        }),
      );
      expect(errors).toEqual([
        `Invalid app.yml: meta must have required property 'vendor' (missingProperty: "vendor")`,
        'Invalid app.yml: must NOT have additional properties (additionalProperty: "batching")',
      ]);
    });

    it('rejects a category outside the enum and an unknown runtime', () => {
      const errors = errorsOf('bad-enum', (dir) =>
        editManifest(dir, (m) => {
          m.meta.categories = ['Digital Assets'];
          m.runtime = 'node20';
        }),
      );
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(
        // The SDK's schema lists the categories alphabetically.
        /^Invalid app\.yml: meta\/categories\/0 must be equal to one of the allowed values \(allowedValues: \["Accounting & Finance","Advertising","Analytics & Reporting",.*"Content Management".*"Testing & Utilities"\]\)$/,
      );
      expect(errors[1]).toBe(
        'Invalid app.yml: runtime must be equal to one of the allowed values (allowedValues: ["node12","node18","node18_rt","node22"])',
      );
    });
  });

  describe('meta', () => {
    it.each([
      [
        'app_id',
        'Bynder-Sync',
        'Invalid app.yml: meta.app_id must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 3 and 32 characters long (/^[a-z][a-z_0-9]{2,31}$/)',
      ],
      [
        'version',
        '1.0',
        'Invalid app.yml: meta.version must be a semantic version number, optionally with -dev/-beta (and increment) or -private (/^\\d+\\.\\d+\\.\\d+(-(((dev|beta)(\\.\\d+)?)|private))?$/)',
      ],
      [
        'vendor',
        'Bynder Team',
        'Invalid app.yml: meta.vendor must be lower snake case (/^[a-z0-9]+(_[a-z0-9]+)*$/)',
      ],
      [
        'support_url',
        'http://support.example.com',
        'Invalid app.yml: meta.support_url must be a valid web address',
      ],
      [
        'contact_email',
        'support.example.com',
        'Invalid app.yml: meta.contact_email must be a valid email address',
      ],
      ['summary', '   ', 'Invalid app.yml: meta.summary must not be blank'],
    ])('rejects a bad %s (%j)', (key, value, message) => {
      expect(errorsOf(`meta-${key}`, (dir) => editManifest(dir, (m) => void (m.meta[key] = value)))).toEqual([
        message,
      ]);
    });

    it('rejects three categories and two identical ones', () => {
      const three = errorsOf('three-categories', (dir) =>
        editManifest(dir, (m) => void (m.meta.categories = ['Content Management', 'Productivity', 'CRM'])),
      );
      expect(three).toEqual(['Invalid app.yml: meta.categories must contain 1 or 2 categories']);
      const twins = errorsOf('twin-categories', (dir) =>
        editManifest(dir, (m) => void (m.meta.categories = ['CRM', 'CRM'])),
      );
      expect(twins).toEqual(['Invalid app.yml: meta.categories contains two identical categories']);
    });

    it('accepts only "all" as availability offline, and says why for a shard id', () => {
      const errors = errorsOf('availability', (dir) =>
        editManifest(dir, (m) => void (m.meta.availability = ['us'])),
      );
      expect(errors).toEqual([
        'Invalid app.yml: meta.availability should only contain valid availability zones (all) found: us (this offline validator knows only "all"; the SDK checks other zones against the shard list over the network)',
      ]);
      const mixed = errorsOf('availability-mixed', (dir) =>
        editManifest(dir, (m) => void (m.meta.availability = ['all', 'eu'])),
      );
      expect(mixed).toEqual([
        'Invalid app.yml: meta.availability should not contain any other availability zones if it contains "all" availability zones',
      ]);
    });
  });

  it('rejects badly named and repeated environment variables', () => {
    const errors = errorsOf('environment', (dir) =>
      editManifest(dir, (m) => void (m.environment = ['BYNDER_URL', 'APP_ENV_X', 'APP_ENV_X'])),
    );
    expect(errors).toEqual([
      'Invalid app.yml: environment.BYNDER_URL must be prefixed with "APP_ENV_" and consist of only uppercase alphanumeric and underscores',
      'Invalid app.yml: environment.APP_ENV_X is listed more than once',
    ]);
  });

  describe('jobs', () => {
    const JOB = (body: string) => `"use strict";\nconst { Job } = require('@zaiusinc/app-sdk');\n${body}\n`;
    const setJob = (dir: string, change: (job: Record<string, unknown>) => void) =>
      editManifest(dir, (m) => change((m.jobs as Record<string, Record<string, unknown>>).deliver_outbox!));

    it('reports a job whose module does not exist', () => {
      const errors = errorsOf('job-no-module', (dir) =>
        setJob(dir, (job) => (job.entry_point = 'NoSuchJob')),
      );
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^Error loading entry point deliver_outbox\. Error: Cannot find module '.*jobs\/NoSuchJob'$/,
      );
    });

    it('reports a job class that does not extend Job and lacks prepare and perform', () => {
      const errors = errorsOf('job-not-a-job', (dir) =>
        replaceBuiltModule(
          dir,
          'jobs/DeliverOutbox.js',
          JOB('exports.DeliverOutbox = class DeliverOutbox {};'),
        ),
      );
      expect(errors).toEqual([
        'Job entry point does not extend App.Job: DeliverOutbox',
        'Job entry point is missing the prepare method: DeliverOutbox',
        'Job entry point is missing the perform method: DeliverOutbox',
      ]);
    });

    it('reports a job without perform', () => {
      const errors = errorsOf('job-no-perform', (dir) =>
        replaceBuiltModule(
          dir,
          'jobs/DeliverOutbox.js',
          JOB(
            'exports.DeliverOutbox = class DeliverOutbox extends Job { async prepare() { return { state: {}, complete: false }; } };',
          ),
        ),
      );
      expect(errors).toEqual(['Job entry point is missing the perform method: DeliverOutbox']);
    });

    it.each(['0 0 6 * *', '0 0 6 * * *', '0 61 * * * ?', 'every day', '0 0 6 ? * ?'])(
      'reports the cron %j as invalid',
      (cron) => {
        const errors = errorsOf(`job-cron-${Buffer.from(cron).toString('hex')}`, (dir) =>
          setJob(dir, (job) => (job.cron = cron)),
        );
        expect(errors).toEqual(['Invalid CRON expression: DeliverOutbox']);
      },
    );
  });

  describe('destinations', () => {
    it('reports a module without the entry-point class as a named export', () => {
      const errors = errorsOf('no-export', (dir) =>
        replaceBuiltModule(
          dir,
          'destinations/BynderAssetSync.js',
          DESTINATION('exports.default = class extends Destination {};'),
        ),
      );
      expect(errors).toEqual(['Error loading entry point bynder_assets. null']);
    });

    it('reports an entry point whose module does not exist', () => {
      const errors = errorsOf('no-module', (dir) =>
        editManifest(dir, (m) => {
          (m.destinations as Record<string, Record<string, unknown>>).bynder_assets!.entry_point =
            'BynderAssetPush';
        }),
      );
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^Error loading entry point bynder_assets\. Error: Cannot find module '.*destinations\/BynderAssetPush'$/,
      );
    });

    it('reports a class without deliver() as missing the "perform" method (SDK wording)', () => {
      const errors = errorsOf('no-deliver', (dir) =>
        replaceBuiltModule(
          dir,
          'destinations/BynderAssetSync.js',
          DESTINATION(
            'exports.BynderAssetSync = class BynderAssetSync extends Destination { async ready() { return { ready: true }; } };',
          ),
        ),
      );
      expect(errors).toEqual(['Destination entry point is missing the perform method: BynderAssetSync']);
    });

    it('reports a class that does not extend Destination and has no ready()', () => {
      const errors = errorsOf('not-destination', (dir) =>
        replaceBuiltModule(
          dir,
          'destinations/BynderAssetSync.js',
          DESTINATION(
            'exports.BynderAssetSync = class BynderAssetSync { async deliver() { return { success: true }; } };',
          ),
        ),
      );
      expect(errors).toEqual([
        'Destination entry point does not extend App.Destination: BynderAssetSync',
        'Destination entry point is missing the prepare method: BynderAssetSync',
      ]);
    });

    it('reports a schema function without getDestinationsSchema()', () => {
      const errors = errorsOf('no-get-schema', (dir) =>
        replaceBuiltModule(
          dir,
          'destinations/BynderAssetSchema.js',
          `"use strict";
const { DestinationSchemaFunction } = require('@zaiusinc/app-sdk');
exports.BynderAssetSchema = class BynderAssetSchema extends DestinationSchemaFunction {};
`,
        ),
      );
      expect(errors).toEqual([
        'DestinationSchemaFunction entry point is missing the getDestinationsSchema method: BynderAssetSchema',
      ]);
    });

    it('reports a schema function that does not extend DestinationSchemaFunction', () => {
      const errors = errorsOf('schema-not-extending', (dir) =>
        replaceBuiltModule(
          dir,
          'destinations/BynderAssetSchema.js',
          'exports.BynderAssetSchema = class BynderAssetSchema { async getDestinationsSchema() { return {}; } };\n',
        ),
      );
      expect(errors).toEqual([
        'DestinationSchemaFunction entry point does not extend App.DestinationSchemaFunction: BynderAssetSchema',
      ]);
    });

    it('reports a static schema name without its file and a non-boolean supports_delete', () => {
      const errors = errorsOf('static-schema-missing', (dir) =>
        editManifest(dir, (m) => {
          const destination = (m.destinations as Record<string, Record<string, unknown>>).bynder_assets!;
          destination.schema = 'asset';
          destination.supports_delete = 'yes';
        }),
      );
      expect(errors).toEqual([
        'File not found for Destination schema asset',
        'Destination supports_delete must be a boolean: bynder_assets',
      ]);
    });

    it('checks static schema files in dist/destinations/schema', () => {
      const errors = errorsOf('static-schema-file', (dir) => {
        editManifest(dir, (m) => {
          (m.destinations as Record<string, Record<string, unknown>>).bynder_assets!.schema = 'asset';
        });
        mkdirSync(path.join(ownBuiltFolder(dir, 'destinations'), 'schema'));
        writeFileSync(
          path.join(dir, 'dist/destinations/schema/asset.yml'),
          stringify({
            name: 'assets',
            display_name: 'Assets',
            description: '',
            fields: [{ name: 'size', display_name: 'Size', description: 'Bytes', type: 'integer' }],
          }),
        );
      });
      expect(errors).toEqual([
        'Invalid destinations/schema/asset.yml: name must match file base name',
        "Invalid destinations/schema/asset.yml: fields[0].type 'integer' does not match any custom_types name",
        'Invalid destinations/schema/asset.yml: fields must contain one primary key',
      ]);
    });
  });

  it('reports a Lifecycle class missing a required hook', () => {
    const errors = errorsOf('lifecycle', (dir) =>
      replaceBuiltModule(
        dir,
        'lifecycle/Lifecycle.js',
        `"use strict";
const App = require('@zaiusinc/app-sdk');
class Lifecycle extends App.Lifecycle {
  async onInstall() {} async onSettingsForm() {} async onUpgrade() {} async onFinalizeUpgrade() {}
  async onAuthorizationRequest() {} async onAuthorizationGrant() {}
}
exports.Lifecycle = Lifecycle;
`,
      ),
    );
    expect(errors).toEqual(['Lifecycle implementation is missing the onUninstall method']);
  });

  describe('assets and forms', () => {
    it('reports a missing required asset', () => {
      expect(errorsOf('no-icon', (dir) => unlinkSync(path.join(dir, 'assets/icon.svg')))).toEqual([
        'Required file assets/icon.svg is missing.',
      ]);
    });

    it('reports a broken relative link in assets markdown, with its position', () => {
      const errors = errorsOf('broken-link', (dir) =>
        writeFileSync(
          path.join(dir, 'assets/directory/overview.md'),
          '# Title\n\nSee [the guide](./guide.md#setup), [Bynder](https://www.bynder.com) and `[not](a-link.md)`.\n\nAbsolute paths are not checked: [root](/nowhere.md).\n',
        ),
      );
      expect(errors).toEqual(['Link to unknown file: `guide.md` in assets/directory/overview.md:3:5-3:34.']);
    });

    it('reports an in-page link to a heading the page lacks, matching anchors as GitHub makes them', () => {
      const errors = errorsOf('broken-anchor', (dir) =>
        writeFileSync(
          path.join(dir, 'assets/directory/overview.md'),
          '# Set-up & `use`\n\n## Set-up & use\n\nLimits\n---\n\n[a](#set-up--use) [b](#set-up--use-1) [c](#Limits) [d](#setup)\n',
        ),
      );
      expect(errors).toEqual(['Link to unknown heading: `setup` in assets/directory/overview.md:8:52-8:63.']);
    });

    it('reports a form element without help and a section without a label', () => {
      let inputIndex = -1;
      const errors = errorsOf('form', (dir) =>
        editYaml(dir, 'forms/settings.yml', (form) => {
          const section = (form.sections as Array<Record<string, unknown>>)[0]!;
          delete section.label;
          const elements = section.elements as Array<Record<string, unknown>>;
          const input = elements.find((element) => 'help' in element)!;
          delete input.help;
          inputIndex = elements.indexOf(input);
        }),
      );
      expect(errors).toEqual([
        "Invalid forms/settings.yml: sections[0] must have required property 'label'",
        `Invalid forms/settings.yml: sections[0].elements[${inputIndex}] must have required property 'help'`,
      ]);
    });

    it('reports unknown top-level keys in the form', () => {
      const errors = errorsOf('form-top', (dir) =>
        editYaml(dir, 'forms/settings.yml', (form) => void (form.title = 'x')),
      );
      expect(errors).toEqual(['Invalid forms/settings.yml: must NOT have additional properties']);
    });
  });

  it('reports each malformed outbound domain', () => {
    const errors = errorsOf('outbound', (dir) =>
      editManifest(
        dir,
        (m) =>
          void (m.outbound_domains = [
            '*.bynder.com',
            'api.bynder.com/v4',
            'api.*.bynder.com',
            'ftp://files.bynder.com',
            'x',
          ]),
      ),
    );
    expect(errors).toEqual([
      'Invalid app.yml: outbound_domains[1] "api.bynder.com/v4" paths are not allowed',
      'Invalid app.yml: outbound_domains[2] "api.*.bynder.com" wildcard is only allowed for final subdomain',
      'Invalid app.yml: outbound_domains[3] "ftp://files.bynder.com" protocol must be http or https',
      'Invalid app.yml: outbound_domains[4] "x" hostname must be valid',
    ]);
  });

  it('lists several problems at once', () => {
    const errors = errorsOf('several', (dir) => {
      editManifest(dir, (m) => void (m.meta.version = 'v1'));
      unlinkSync(path.join(dir, 'assets/logo.svg'));
    });
    expect(errors).toHaveLength(2);
    expect(errors[1]).toBe('Required file assets/logo.svg is missing.');
  });

  it('reports a missing build as a failed validation process', () => {
    const result = validateApp(
      app.copy('no-dist', (dir) => rmSync(path.join(dir, 'dist'), { recursive: true })),
    );
    expect(result.success).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Validation process failed: ENOENT.*dist\/app\.yml/);
  });
});

describe('validation report', () => {
  it('lists every problem under "Validation failed:"', () => {
    expect(formatValidationReport({ success: false, errors: ['first', 'second'] })).toBe(
      'Validation failed:\n * first\n * second\n',
    );
  });

  it('prints a validation that could not run as its one line, not as a list', () => {
    const failed = { success: false, errors: ['Validation process failed: ENOENT: no such file'] };
    expect(formatValidationReport(failed)).toBe('Validation process failed: ENOENT: no such file\n');
  });

  it('says "Looks good to me" when nothing failed', () => {
    expect(formatValidationReport({ success: true, errors: [] })).toBe('Looks good to me\n');
  });
});

describe('validateDestinationSchema (rules for static files and dynamic schemas)', () => {
  const field = (overrides: Record<string, unknown> = {}) => ({
    name: 'asset_id',
    display_name: 'Asset ID',
    description: "Bynder's asset id",
    type: 'string',
    primary: true,
    ...overrides,
  });
  const schema = (overrides: Record<string, unknown> = {}) => ({
    name: 'bynder_assets',
    display_name: 'Bynder Assets',
    description: 'Assets',
    fields: [field()],
    ...overrides,
  });

  it('accepts primitives, custom types and arrays of them', () => {
    const valid = schema({
      fields: [
        field(),
        field({ name: 'tags', primary: false, type: '[string]' }),
        field({ name: 'size', primary: undefined, type: 'dimensions' }),
      ],
      custom_types: [
        {
          name: 'dimensions',
          display_name: 'Dimensions',
          description: 'Width and height',
          fields: [field({ name: 'width', type: 'long', primary: undefined })],
        },
      ],
    });
    expect(validateDestinationSchema(JSON.parse(JSON.stringify(valid)), 'schema')).toEqual([]);
  });

  it('reports shape errors alone: unknown keys, a bad format, a bad type syntax', () => {
    expect(
      validateDestinationSchema(
        schema({ fields: [field({ format: 'email', type: 'string[]' })], version: 2 }),
        'dynamic schema',
      ),
    ).toEqual([
      'Invalid dynamic schema: fields/0/type must match pattern "^(string|integer|boolean|decimal|\\w+|\\[\\w+\\])$" (pattern: "^(string|integer|boolean|decimal|\\\\w+|\\\\[\\\\w+\\\\])$")',
      'Invalid dynamic schema: fields/0/format must be equal to constant (allowedValue: "url")',
      'Invalid dynamic schema: must NOT have additional properties (additionalProperty: "version")',
    ]);
  });

  it('reports bad names, blank texts, unknown array types and no primary key', () => {
    expect(
      validateDestinationSchema(
        schema({
          name: 'Bynder',
          display_name: ' ',
          fields: [field({ name: '9lives', description: '', primary: false, type: '[decimal]' })],
        }),
        'x',
      ),
    ).toEqual([
      'Invalid x: name must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 2 and 64 characters long (/^[a-z][a-z0-9_]{1,61}$/)',
      'Invalid x: display_name must be specified',
      'Invalid x: fields[0].name must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 2 and 64 characters long (/^[a-z][a-z0-9_]{1,61}$/)',
      'Invalid x: fields[0].description must be specified',
      "Invalid x: fields[0].type '[decimal]' array type does not match any custom_types name",
      'Invalid x: fields must contain one primary key',
    ]);
  });
});
