import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { parse, stringify } from 'yaml';

import { storage } from '@zaiusinc/app-sdk';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { SECTION } from '../../src/lib/config';
import { redactSecrets } from '../../src/lib/redact';
import { CREDENTIAL_FIELDS, secretsOfFields } from '../../src/lib/secret-values';
import { startEmulator, type RunningEmulator } from '../bynder-emulator/server';
import { answerSection, readForm } from '../cli/commands/settings';
import { loadDestinationFields } from '../cli/sync/mapping/destination-fields';
import { FieldMapping } from '../cli/sync/mapping/field-mapping';
import { parseMappingFile } from '../cli/sync/mapping/mapping-file';
import { detectSourceFormat, openSource } from '../cli/sync/sources/open-source';
import { UiRuns } from './ui-runs';

// `npm run cli -- ui`: the app's three OCP screens (settings form, destination and field mapping,
// the sync's run) as a local page, served on loopback by the process that also runs the Bynder
// emulator and the app's real classes. The page is static (./static); everything it shows comes
// from the JSON routes below, which call the same code the CLI commands call.

const ROOT = path.resolve(__dirname, '../..');
const STATIC_DIR = path.join(__dirname, 'static');
/** An uploaded source file is kept in memory whole on its way to disk. */
const MAX_UPLOAD = '50mb';
/** Records read from an upload to list its columns (JSON Lines may add columns later). */
const COLUMN_SAMPLE = 100;

export interface UiServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Loopback only: the page can change settings and run syncs. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Seed of the emulator this process runs (a path to portal JSON). */
  seed: string;
}

export interface RunningUi {
  url: string;
  emulator: RunningEmulator;
  stop(): Promise<void>;
}

interface Upload {
  id: string;
  name: string;
  file: string;
  columns: string[];
}

export async function startUi(options: UiServerOptions): Promise<RunningUi> {
  const emulator = await startEmulator({ port: 0, seed: options.seed });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bynder-ui-'));
  const uploads = new Map<string, Upload>();
  const runs = new UiRuns({ emulator, seed: options.seed, workDir, form: readForm() });
  /** Every secret the page has submitted, so no answer ever carries one back. */
  const submittedSecrets = new Set<string>([emulator.token]);
  const redact = (text: string) => redactSecrets(text, [...submittedSecrets]);

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    // The page loads nothing from anywhere else.
    res.set('Content-Security-Policy', "default-src 'self'; connect-src 'self'; img-src 'self' data:");
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(express.static(STATIC_DIR));

  app.get('/api/form', (_req, res) => {
    res.json({ sections: readForm(), emulatorUrl: emulator.url });
  });

  // The stored values, as OCP fills the form when it is reopened: secrets only as "set".
  app.get('/api/settings', async (_req, res) => {
    const values: Record<string, Record<string, unknown>> = {};
    for (const section of Object.values(SECTION)) {
      values[section] = withoutSecrets(await storage.settings.get(section));
    }
    const secrets: Record<string, unknown> = await storage.secrets.get(SECTION.connection);
    const set = CREDENTIAL_FIELDS.filter((f) => typeof secrets[f] === 'string' && secrets[f] !== '');
    res.json({ values, secretsSet: set });
  });

  app.post('/api/settings/:section', express.json(), async (req, res) => {
    const section = String(req.params.section);
    const body = (req.body ?? {}) as { action?: unknown; data?: unknown };
    const action = typeof body.action === 'string' ? body.action : 'save';
    const data = isPlainObject(body.data) ? body.data : {};
    for (const secret of secretsOfFields(data)) submittedSecrets.add(secret);
    const answer = await answerSection(section, action, data);
    res.json(JSON.parse(redact(JSON.stringify(answer))));
  });

  app.get('/api/destinations', (_req, res) => {
    const appYml = parse(readFileSync(path.join(ROOT, 'app.yml'), 'utf8')) as {
      destinations?: Record<string, { description?: string; supports_delete?: boolean }>;
    };
    res.json(
      Object.entries(appYml.destinations ?? {}).map(([key, d]) => ({
        key,
        description: d.description ?? '',
        supportsDelete: d.supports_delete === true,
      })),
    );
  });

  // The Sync Manager's field list: the app's real schema function, against the saved connection.
  app.get('/api/destinations/:key/schema', async (req, res) => {
    try {
      const schema = await new BynderAssetSchema({
        destinationKey: String(req.params.key),
      }).getDestinationsSchema();
      res.json(schema);
    } catch (error) {
      res.status(409).json({ error: redact(messageOf(error)) });
    }
  });

  // An uploaded CSV or JSON Lines file, read by the CLI's own readers to list its columns.
  app.post('/api/sources', express.raw({ type: () => true, limit: MAX_UPLOAD }), async (req, res) => {
    const name = path.basename(typeof req.query.name === 'string' ? req.query.name : 'upload.csv');
    try {
      const format = detectSourceFormat(
        name,
        typeof req.query.format === 'string' ? req.query.format : undefined,
      );
      const id = `s${uploads.size + 1}`;
      const dir = await mkdtemp(path.join(workDir, 'source-'));
      const file = path.join(dir, name);
      await writeFile(file, req.body as Buffer);
      const columns = new Set<string>();
      let sampled = 0;
      for await (const entry of (await openSource(file, format)).entries) {
        if (entry.kind === 'record') for (const column of Object.keys(entry.record)) columns.add(column);
        if (++sampled >= COLUMN_SAMPLE) break;
      }
      const upload = { id, name, file, columns: [...columns] };
      uploads.set(id, upload);
      res.json({ id, name, format, columns: upload.columns });
    } catch (error) {
      res.status(400).json({ error: messageOf(error) });
    }
  });

  // The mapping as the runner will apply it: the CLI's FieldMapping, with its matching and refusals.
  app.post('/api/mapping/check', express.json(), async (req, res) => {
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
      res.status(400).json({ error: redact(messageOf(error)) });
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
  app.post('/api/mapping/yaml', express.json(), (req, res) => {
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

  app.post('/api/runs', express.json(), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const upload = typeof body.sourceId === 'string' ? uploads.get(body.sourceId) : undefined;
    if (!upload) {
      res
        .status(400)
        .json({ error: 'sourceId names no uploaded file; upload the CSV or JSON Lines file first' });
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
      res.status(202).json({ id: run.id });
    } catch (error) {
      res.status(409).json({ error: redact(messageOf(error)) });
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
      res.write(`event: ${event.type}\ndata: ${redact(JSON.stringify(event.data))}\n\n`);
      if (event.type === 'end') res.end();
    });
    req.on('close', unsubscribe);
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    res.status(500).json({ error: redact(messageOf(error)) });
  };
  app.use(onError);

  const server = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
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

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
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
