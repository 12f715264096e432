import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { parse, stringify } from 'yaml';

import { type LogLevel, setLogLevel, storage } from '@zaiusinc/app-sdk';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { SECTION } from '../../src/lib/config';
import { redactSecrets } from '../../src/lib/redact';
import { CREDENTIAL_FIELDS, secretsOfFields } from '../../src/lib/secret-values';
import { SYNC_STATUS_SECTION } from '../../src/lib/state/sync-status';
import { startEmulator, type RunningEmulator } from '../bynder-emulator/server';
import { answerSection, readForm } from '../cli/commands/settings';
import { loadDestinationFields } from '../cli/sync/mapping/destination-fields';
import { FieldMapping } from '../cli/sync/mapping/field-mapping';
import { parseMappingFile } from '../cli/sync/mapping/mapping-file';
import { detectSourceFormat, openSource } from '../cli/sync/sources/open-source';
import { jsonOnly, ownOriginOnly } from './own-origin-guard';
import { DEFAULT_UPLOAD_LIMITS, SourceUploads, type UploadLimits } from './source-uploads';
import { UiRuns } from './ui-runs';
import { UploadRefusedError } from './UploadRefusedError';
import { withoutTempPaths } from './without-temp-paths';

// `npm run cli -- ui`: the app's three OCP screens (settings form, destination and field mapping,
// the sync's run) as a local page, served on loopback by the process that also runs the Bynder
// emulator and the app's real classes. The page is static (./static); everything it shows comes
// from the JSON routes below, which call the same code the CLI commands call.

const ROOT = path.resolve(__dirname, '../..');
const STATIC_DIR = path.join(__dirname, 'static');
/** Records read from an upload to list its columns (JSON Lines may add columns later). */
const COLUMN_SAMPLE = 100;

/** Ports after the asked-for one tried when it is taken, before any free port is taken. */
const NEXT_PORTS_TRIED = 10;

export interface UiServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Fail when `port` is taken, instead of serving on the next free one. */
  strictPort?: boolean;
  /** Loopback only: the page can change settings and run syncs. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Seed of the emulator this process runs (a path to portal JSON). */
  seed: string;
  /**
   * The app's log level outside runs (a run logs at info into its own app.log); unset leaves the
   * level LOG_LEVEL gave. LogLevel.NEVER keeps the app's JSON log lines off the terminal.
   */
  appLogLevel?: LogLevel;
  /** Bounds of the source files the page uploads; the defaults are DEFAULT_UPLOAD_LIMITS. */
  uploadLimits?: Partial<UploadLimits>;
}

export interface RunningUi {
  url: string;
  /** Set when the asked-for port was taken: which one, and which the page got instead. */
  portNote: string | undefined;
  emulator: RunningEmulator;
  stop(): Promise<void>;
}

/** The asked-for port is taken and `strictPort` forbids another. */
export class UiPortTakenError extends Error {
  public override name = 'UiPortTakenError';
}

export async function startUi(options: UiServerOptions): Promise<RunningUi> {
  const emulator = await startEmulator({ port: 0, seed: options.seed });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bynder-ui-'));
  if (options.appLogLevel !== undefined) setLogLevel(options.appLogLevel);
  const runs = new UiRuns({
    emulator,
    seed: options.seed,
    workDir,
    form: readForm(),
    logLevelBetweenRuns: options.appLogLevel,
  });
  /** The upload the current run reads, kept while it runs. */
  let runSource: string | undefined;
  const uploads = new SourceUploads(
    workDir,
    { ...DEFAULT_UPLOAD_LIMITS, ...options.uploadLimits },
    () => runSource,
  );
  /** Every secret the page has submitted, so no answer ever carries one back. */
  const submittedSecrets = new Set<string>([emulator.token]);
  /** What any text sent to the page goes through: no secret, and no path under the temporary folder. */
  const forPage = (text: string) => withoutTempPaths(redactSecrets(text, [...submittedSecrets]), os.tmpdir());
  let port = 0;

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    // The page loads nothing from anywhere else.
    res.set('Content-Security-Policy', "default-src 'self'; connect-src 'self'; img-src 'self' data:");
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(ownOriginOnly(() => port));
  app.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(JSON.parse(forPage(JSON.stringify(body))));
    next();
  });
  app.use(express.static(STATIC_DIR));

  app.get('/api/form', (_req, res) => {
    res.json({ sections: readForm(), emulatorUrl: emulator.url });
  });

  // The stored values, as OCP fills the form when it is reopened: secrets only as "set".
  app.get('/api/settings', async (_req, res) => {
    const values: Record<string, Record<string, unknown>> = {};
    // Sync status holds no setting, only the text the app writes for the form to show.
    for (const section of [...Object.values(SECTION), SYNC_STATUS_SECTION]) {
      values[section] = withoutSecrets(await storage.settings.get(section));
    }
    const secrets: Record<string, unknown> = await storage.secrets.get(SECTION.connection);
    const set = CREDENTIAL_FIELDS.filter((f) => typeof secrets[f] === 'string' && secrets[f] !== '');
    res.json({ values, secretsSet: set });
  });

  app.post('/api/settings/:section', jsonOnly, express.json(), async (req, res) => {
    const section = String(req.params.section);
    const body = (req.body ?? {}) as { action?: unknown; data?: unknown };
    const action = typeof body.action === 'string' ? body.action : 'save';
    const data = isPlainObject(body.data) ? body.data : {};
    for (const secret of secretsOfFields(data)) submittedSecrets.add(secret);
    const answer = await answerSection(section, action, data);
    res.json(JSON.parse(forPage(JSON.stringify(answer))));
  });

  app.get('/api/destinations', (_req, res) => {
    res.json(readDestinations());
  });

  // The Sync Manager's field list: the app's real schema function, against the saved connection.
  app.get('/api/destinations/:key/schema', async (req, res) => {
    try {
      const schema = await new BynderAssetSchema({
        destinationKey: String(req.params.key),
      }).getDestinationsSchema();
      res.json(schema);
    } catch (error) {
      res.status(409).json({ error: messageOf(error) });
    }
  });

  // An uploaded CSV or JSON Lines file, read by the CLI's own readers to list its columns. Its size
  // is checked from Content-Length before a byte is read, and again while reading.
  app.post(
    '/api/sources',
    async (req, res, next) => {
      try {
        const { release } = await uploads.reserve(uploadName(req), req.headers['content-length']);
        res.on('close', release);
        next();
      } catch (error) {
        if (!(error instanceof UploadRefusedError)) throw error;
        res.status(error.status).json({ error: error.message });
      }
    },
    express.raw({ type: () => true, limit: uploads.limits.maxFileBytes }),
    async (req, res) => {
      const name = uploadName(req);
      try {
        const format = detectSourceFormat(
          name,
          typeof req.query.format === 'string' ? req.query.format : undefined,
        );
        const upload = await uploads.keep(name, req.body as Buffer, (file) => readColumns(file, format));
        res.json({ id: upload.id, name, format, columns: upload.columns });
      } catch (error) {
        res.status(400).json({ error: messageOf(error) });
      }
    },
  );

  // The mapping as the runner will apply it: the CLI's FieldMapping, with its matching and refusals.
  app.post('/api/mapping/check', jsonOnly, express.json(), async (req, res) => {
    const body = (req.body ?? {}) as { columns?: unknown; mapping?: unknown };
    const columns = Array.isArray(body.columns) ? body.columns.map(String) : [];
    try {
      const file = isPlainObject(body.mapping) ? toMappingFile(body.mapping) : undefined;
      const mapping = FieldMapping.create(await loadDestinationFields(), file);
      mapping.observe(columns);
      res.json({
        mapped: mapping.mapped,
        unmatched: mapping.unmatched,
        missingColumns: mapping.missingColumns,
        primary: mapping.primaryField.name,
        primaryMapped: mapping.mapped.some((m) => m.field === mapping.primaryField.name),
      });
    } catch (error) {
      res.status(400).json({ error: messageOf(error) });
    }
  });

  // A mapping file the page loads (the same YAML `sync --mapping` reads), as column -> field.
  app.post('/api/mapping/parse', express.text({ type: () => true }), (req, res) => {
    try {
      res.json({ mapping: Object.fromEntries(parseMappingFile(String(req.body ?? ''), 'the mapping file')) });
    } catch (error) {
      res.status(400).json({ error: messageOf(error) });
    }
  });

  // The mapping as YAML for `sync --mapping`, checked by the same parser before it is offered.
  app.post('/api/mapping/yaml', jsonOnly, express.json(), (req, res) => {
    const body = (req.body ?? {}) as { mapping?: unknown };
    if (!isPlainObject(body.mapping)) {
      res.status(400).json({ error: 'mapping must be an object of "source column": "destination field"' });
      return;
    }
    const text = stringify(body.mapping);
    try {
      parseMappingFile(text, 'the mapping');
      res.type('text/yaml').send(text);
    } catch (error) {
      res.status(400).json({ error: messageOf(error) });
    }
  });

  app.post('/api/runs', jsonOnly, express.json(), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const upload = typeof body.sourceId === 'string' ? uploads.get(body.sourceId) : undefined;
    if (!upload) {
      res.status(400).json({
        error:
          'sourceId names no uploaded file (the page keeps only the latest uploads); ' +
          'upload the CSV or JSON Lines file again',
      });
      return;
    }
    try {
      const run = await runs.start({
        source: upload.file,
        sourceName: upload.name,
        mapping: isPlainObject(body.mapping) ? toMappingFile(body.mapping) : undefined,
        resetPortal: body.resetPortal !== false,
        runner: isPlainObject(body.runner) ? body.runner : {},
      });
      runSource = upload.id;
      run.subscribe((event) => {
        if (event.type === 'end' && runSource === upload.id) runSource = undefined;
      });
      res.status(202).json({ id: run.id });
    } catch (error) {
      res.status(409).json({ error: messageOf(error) });
    }
  });

  // The page's Cancel button: as Ctrl-C for `sync`, the run ends with its summary marked cancelled.
  app.post('/api/runs/:id/cancel', express.json(), (req: Request, res: Response) => {
    const run = runs.get(String(req.params.id));
    if (!run) {
      res.status(404).json({ error: `no run "${String(req.params.id)}"` });
    } else if (run.ended) {
      res.status(409).json({ error: `run "${run.id}" has already ended; nothing to cancel` });
    } else {
      run.cancel();
      res.status(202).json({ id: run.id, cancelling: true });
    }
  });

  // Server-sent events: every event of the run so far, then each new one until it ends.
  app.get('/api/runs/:id/events', (req: Request, res: Response) => {
    const run = runs.get(String(req.params.id));
    if (!run) {
      res.status(404).json({ error: `no run "${String(req.params.id)}"` });
      return;
    }
    res.set({ 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.flushHeaders();
    const unsubscribe = run.subscribe((event) => {
      res.write(`event: ${event.type}\ndata: ${forPage(JSON.stringify(event.data))}\n\n`);
      if (event.type === 'end') res.end();
    });
    req.on('close', unsubscribe);
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    // A body bigger than its route allows (raw-body's "entity.too.large"): say which limit.
    if (isPlainObject(error) && error.type === 'entity.too.large') {
      res.status(413).json({ error: `the request body is too big: ${uploads.describeLimits()}` });
      return;
    }
    res.status(500).json({ error: messageOf(error) });
  };
  app.use(onError);

  let server: Server;
  let portNote: string | undefined;
  try {
    ({ server, portNote } = await listenNear(app, options));
  } catch (error) {
    await emulator.stop();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  const address = server.address() as AddressInfo;
  port = address.port;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    portNote,
    emulator,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runs.stop();
      await emulator.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Listens on the asked-for port or, when it is taken and `strictPort` is unset, on the next free one
 * after it (then on any free port), saying which.
 */
async function listenNear(
  app: express.Express,
  options: UiServerOptions,
): Promise<{ server: Server; portNote: string | undefined }> {
  const host = options.host ?? '127.0.0.1';
  const asked = options.port ?? 0;
  const tries = asked === 0 || options.strictPort ? [asked] : [asked, ...nextPorts(asked), 0];
  for (const candidate of tries) {
    try {
      const server = await listen(app, candidate, host);
      const got = (server.address() as AddressInfo).port;
      return {
        server,
        portNote: candidate === asked ? undefined : `port ${asked} is taken; serving on port ${got} instead`,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (options.strictPort) {
        throw new UiPortTakenError(
          `port ${asked} is taken (another process listens on ${host}:${asked}); ` +
            'pass another --port, --port 0 for any free one, or leave out --strict-port to take the next free one',
        );
      }
    }
  }
  throw new Error(`no free port on ${host}`); // port 0 is the last try: the system always has one
}

function nextPorts(port: number): number[] {
  return Array.from({ length: NEXT_PORTS_TRIED }, (_, i) => port + 1 + i).filter((p) => p <= 65_535);
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** The uploaded file's own name (no folders); the page sends it as `?name=`. */
function uploadName(req: Request): string {
  const name = path.basename(typeof req.query.name === 'string' ? req.query.name : '');
  return name === '' || name === '.' || name === '..' ? 'upload.csv' : name;
}

/** The columns of an uploaded file, from its first records (JSON Lines may add columns later). */
async function readColumns(file: string, format: ReturnType<typeof detectSourceFormat>): Promise<string[]> {
  const columns = new Set<string>();
  let sampled = 0;
  for await (const entry of (await openSource(file, format)).entries) {
    if (entry.kind === 'record') for (const column of Object.keys(entry.record)) columns.add(column);
    if (++sampled >= COLUMN_SAMPLE) break;
  }
  return [...columns];
}

/**
 * The destinations in app.yml, each with the name the Sync Manager lists it under: app.yml gives a
 * destination a key and a description only, so it is shown under the app's display name.
 */
function readDestinations(): Array<{
  key: string;
  displayName: string;
  description: string;
  supportsDelete: boolean;
}> {
  const appYml = parse(readFileSync(path.join(ROOT, 'app.yml'), 'utf8')) as {
    meta?: { display_name?: string };
    destinations?: Record<string, { description?: string; supports_delete?: boolean }>;
  };
  return Object.entries(appYml.destinations ?? {}).map(([key, d]) => ({
    key,
    displayName: appYml.meta?.display_name ?? key,
    description: d.description ?? '',
    supportsDelete: d.supports_delete === true,
  }));
}

function withoutSecrets(row: Record<string, unknown>): Record<string, unknown> {
  // Form fields whose values live in storage.secrets never go back to the page.
  const secret: readonly string[] = CREDENTIAL_FIELDS;
  return Object.fromEntries(Object.entries(row).filter(([key]) => !secret.includes(key)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The page's column -> field choices, as the mapping file's parser reads them (same refusals). */
function toMappingFile(mapping: Record<string, unknown>): Map<string, string> {
  const chosen = Object.fromEntries(
    Object.entries(mapping).filter(([, field]) => field !== '' && field != null),
  );
  return parseMappingFile(stringify(chosen), 'the mapping');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
