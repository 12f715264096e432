import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

import { CONTROL_PREFIX, controlRouter, type EmulatorControl } from './control';
import { Delays } from './delays';
import { sendEnvelope, statusMessage } from './envelope';
import { authMiddleware } from './middleware/auth';
import { FaultList, faultsMiddleware, type FaultRule } from './middleware/faults';
import { RateLimiter, rateLimitMiddleware } from './middleware/rate-limit';
import {
  RequestLog,
  requestLogMiddleware,
  type RequestFilter,
  type RequestLogEntry,
} from './middleware/request-log';
import type { RouteDeps } from './route-deps';
import { expressPath, RouteTable } from './route-table';
import { mediaRoutes } from './routes/media';
import { mediaOptionRoutes } from './routes/media-options';
import { metapropertyRoutes } from './routes/metaproperties';
import { oauthRoutes } from './routes/oauth';
import { trashRoutes } from './routes/trash';
import { brandRoutes } from './routes/brands';
import { uploadRoutes } from './routes/upload';
import { s3App } from './s3-standin';
import { UploadStore } from './uploads';
import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  type EmulatorSettings,
  type LatencySettings,
  type RateLimitSettings,
  type SettingsPatch,
  type TextFilterMode,
} from './runtime-settings';
import type { Seed } from './seed';
import { PortalState, type PortalSnapshot } from './state';
import { DEFAULT_TOKEN, TokenStore, type OAuthClient, type PermanentToken } from './token-store';
import { WriteQueue } from './write-queue';

export type { FaultRule } from './middleware/faults';
export type { RequestCounts, RequestFilter, RequestLogEntry } from './middleware/request-log';
export type { LatencySettings, RateLimitSettings, TextFilterMode } from './runtime-settings';
export type { Seed, SeedAsset, SeedMetaproperty, SeedOption } from './seed';
export type { MediaFile, TrashedMedia, TrashItem } from './state';
export type { SeedBrand } from './uploads';
export type { FaultHost } from './middleware/faults';
export type { OAuthClient, PermanentToken } from './token-store';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** A seed object or the path of a seed JSON file; empty portal when absent. */
  seed?: Seed | string;
  /** Permanent tokens; default one, 'demo-token-8c2f4e6a1b3d5f70', with every scope and role. Absent scopes/roles mean all. */
  tokens?: PermanentToken[];
  /** OAuth 2.0 client-credentials clients; none by default. */
  oauthClients?: OAuthClient[];
  /** Delay before an accepted (202) modify becomes visible; default 0 (next timer tick). */
  applyDelayMs?: number;
  /** Default 4,500 per 300,000 ms, blocked until 300,000 ms quiet; false disables. */
  rateLimit?: RateLimitSettings | false;
  faults?: FaultRule[];
  latency?: LatencySettings;
  /** EMULATOR-ONLY: reject what Bynder silently ignores on modify (unknown keys/ids, JSON) with 400. */
  strict?: boolean;
  /** Booleans in answers as 1/0, as Bynder's payloads carry them (default); false gives true/false. */
  booleansAsNumbers?: boolean;
  /** Render text metaproperty values as one-element arrays. */
  textValuesAsArrays?: boolean;
  /** How a text metaproperty filter matches: 'exact' (default), 'substring', 'case-insensitive', 'ignored'. */
  textFilter?: TextFilterMode;
  /** Time source for token expiry, rate limiting and timestamps (tests pass a fake one). */
  clock?: { now(): number };
  /** Randomness for fault rates and latency jitter. */
  random?: () => number;
  /**
   * Interface of the S3 stand-in the upload flow sends chunks to: a second loopback address
   * (default 127.0.0.2), so a client sees two hosts as with Bynder and S3. Where that address
   * cannot be bound (macOS has only 127.0.0.1 unless aliased), it falls back to `host`.
   */
  s3Host?: string;
  /** Port of the S3 stand-in; 0 (default) picks a free one. */
  s3Port?: number;
  /** How long a finalised upload converts before the poll lists it, on `clock`; default 2,000 ms. */
  conversionDelayMs?: number;
  /** The largest chunk the S3 policy allows; default 5 MiB, the SDKs' chunk size. */
  maxChunkBytes?: number;
  /** Original file names whose conversion fails (listed in the poll's `itemsFailed`). */
  failingConversions?: string[];
  /** Asset ids the listing leaves out of its answers (a read answering fewer assets than asked). */
  unlistedIds?: string[];
  /** EMULATOR-ONLY fault: ms between an option create's duplicate check and its insert (runtime-settings.ts). */
  optionCreateGapMs?: number;
}

/** A dump of the emulator: the portal (a valid seed) plus the request log. */
export interface EmulatorState extends PortalSnapshot {
  requests: RequestLogEntry[];
}

export interface RunningEmulator {
  /** Base URL, e.g. 'http://127.0.0.1:40123' (no trailing slash). */
  url: string;
  /** The S3 stand-in's URL, as `GET /api/upload/endpoint/` answers it, e.g. 'http://127.0.0.2:40124/'. */
  s3Url: string;
  /** The first permanent token it accepts. */
  token: string;
  stop(): Promise<void>;
  snapshot(): EmulatorState;
  /** A string is taken as a route template, e.g. requests('POST /api/v4/media/:id/'). */
  requests(filter?: RequestFilter | string): RequestLogEntry[];
  clearRequests(): void;
  faults: { add(rule: FaultRule): void; clear(): void };
  configure(patch: Partial<EmulatorOptions>): void;
  seed(seed: Seed): void;
  /** Resolves once every accepted 202 write has been applied (pending ones are applied at once). */
  settle(): Promise<void>;
  /** What lenient seed loading left out (unknown metaproperties or option values). */
  seedWarnings(): string[];
}

/** Starts a Bynder emulator on loopback (see docs/emulator.md). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { clock } = options;
  const now = clock ? () => clock.now() : () => Date.now();
  const random = options.random ?? Math.random;
  const settings: EmulatorSettings = structuredClone(DEFAULT_SETTINGS);
  const state = new PortalState(now);
  const delays = new Delays();
  const writes = new WriteQueue(state, delays);
  const tokens = new TokenStore(now);
  const faults = new FaultList(random);
  const log = new RequestLog();
  const limiter = new RateLimiter();
  const uploads = new UploadStore(now);

  // A new rate limit starts every client's window afresh.
  const patchSettings = (patch: SettingsPatch): void => {
    applySettingsPatch(settings, patch);
    if (patch.rateLimit !== undefined) limiter.reset();
  };
  const configure = (patch: Partial<EmulatorOptions>): void => {
    // The option names match the settings' names; applySettingsPatch takes only those.
    patchSettings(patch);
    if (patch.tokens) tokens.setPermanentTokens(patch.tokens);
    if (patch.oauthClients) tokens.setClients(patch.oauthClients);
    if (patch.faults) {
      faults.clear();
      for (const rule of patch.faults) faults.add(rule);
    }
    if (patch.seed !== undefined) {
      writes.discard();
      uploads.clear();
      state.seed(patch.seed);
    }
  };
  const permanentTokens = options.tokens ?? [{ token: DEFAULT_TOKEN }];
  configure({
    ...options,
    tokens: permanentTokens,
    seed: options.seed ?? { metaproperties: {}, assets: [] },
  });

  const settle = (): Promise<void> => {
    writes.flush();
    return Promise.resolve();
  };
  const snapshot = (): EmulatorState => ({ ...state.snapshot(), requests: log.list() });

  const control: EmulatorControl = {
    snapshot,
    seed: (seed) => {
      configure({ seed });
      return { warnings: state.warnings };
    },
    reset: () => {
      writes.discard();
      uploads.clear();
      state.reset();
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    listFaults: () => faults.list(),
    configure: (patch) => {
      patchSettings(patch);
      return structuredClone(settings);
    },
    settings: () => structuredClone(settings),
    requests: (filter) => log.list(filter),
    requestCounts: () => log.counts(),
    clearRequests: () => log.clear(),
    settle,
  };

  const deps: RouteDeps = { state, settings, writes, tokens, uploads, delays };
  let s3Url = '';
  const table = new RouteTable([
    ...oauthRoutes(deps),
    // Before the media routes: `POST /api/v4/media/:id/` would otherwise take `/api/v4/media/save/`.
    ...uploadRoutes({ ...deps, s3Url: () => s3Url }),
    ...brandRoutes(deps),
    ...metapropertyRoutes(deps),
    ...mediaRoutes(deps),
    ...mediaOptionRoutes(deps),
    ...trashRoutes(deps),
  ]);
  const app = buildApp({ control, table, log, faults, limiter, tokens, settings, delays, now, random });

  const apiHost = options.host ?? '127.0.0.1';
  const server = await listen(app, options.port ?? 0, apiHost);
  const s3 = s3App({ uploads, settings, log, faults, delays, now, random, url: () => s3Url });
  const s3Server = await listen(s3, options.s3Port ?? 0, options.s3Host ?? '127.0.0.2').catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRNOTAVAIL' || options.s3Host !== undefined) {
        await close(server);
        throw error;
      }
      return listen(s3, 0, apiHost);
    },
  );
  s3Url = `${urlOf(s3Server)}/`;
  let stopping: Promise<void> | undefined;

  return {
    url: urlOf(server),
    s3Url,
    token: permanentTokens[0]?.token ?? DEFAULT_TOKEN,
    stop: () =>
      (stopping ??= (async () => {
        delays.cancelAll();
        await Promise.all([close(server), close(s3Server)]);
      })()),
    snapshot,
    requests: (filter) => log.list(filter),
    clearRequests: () => log.clear(),
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear() },
    configure,
    seed: (seed) => configure({ seed }),
    settle,
    seedWarnings: () => [...state.warnings],
  };
}

interface AppParts {
  control: EmulatorControl;
  table: RouteTable;
  log: RequestLog;
  faults: FaultList;
  limiter: RateLimiter;
  tokens: TokenStore;
  settings: EmulatorSettings;
  delays: Delays;
  now: () => number;
  random: () => number;
}

/** The chain, top to bottom: request log → faults → rate limit → auth → routes → 404. */
function buildApp(parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('case sensitive routing', true);

  // Admin routes come before the chain: they are not logged, limited, faulted or authenticated.
  app.use(CONTROL_PREFIX, controlRouter(parts.control));

  app.use(requestLogMiddleware(parts.log, parts.table, parts.now));
  app.use(urlLengthMiddleware);
  app.use(faultsMiddleware(parts.faults, parts.settings, parts.delays, parts.random));
  app.use(rateLimitMiddleware(parts.limiter, parts.settings, parts.now));
  app.use(express.urlencoded({ extended: false, limit: '5mb', parameterLimit: 100_000 }));
  app.use(authMiddleware(parts.tokens));

  const router = express.Router({ strict: false, caseSensitive: true });
  for (const route of parts.table.routes) {
    const method = route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'delete';
    router[method](expressPath(route.template), route.handle as RequestHandler);
  }
  app.use(router);

  // Unknown routes answer 404 and stay in the log as 'UNMATCHED', so a test can fail on them.
  app.use((_req, res) => sendEnvelope(res, 404, 'Not found'));
  app.use(errorHandler);
  return app;
}

/**
 * ASSUMPTION: Bynder publishes no URL limit; web servers and proxies in front of APIs commonly
 * refuse request lines past 8 KiB (nginx's default large_client_header_buffers is 8k). The emulator
 * answers 414 past MAX_URL_LENGTH, so a client that packs too many ids into `?ids=` fails here.
 */
export const MAX_URL_LENGTH = 8_192;
const urlLengthMiddleware: RequestHandler = (req, res, next) => {
  if (req.originalUrl.length > MAX_URL_LENGTH) {
    return void res.status(414).type('text/plain').send('URI Too Long');
  }
  next();
};

/** Body-parser errors carry their status (400 malformed, 413 too large); anything else is a 500. */
const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const status = (error as { status?: unknown }).status;
  const code = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
  if (!res.headersSent) sendEnvelope(res, code, statusMessage(code));
};

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
    // An idle keep-alive socket is closed by the server only long after a client would reuse it:
    // with Node's 5 s, a client whose event loop ran a second late (a loaded machine) sent its next
    // request on a socket the server was closing, and got ECONNRESET (fetch keeps a socket for the
    // server's hint minus 1 s; Node's agents keep one with no limit). Bynder's edge keeps idle
    // connections about a minute. close() ends idle sockets itself, so a stopped emulator is not
    // held open by them.
    server.keepAliveTimeout = 65_000;
  });
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Stalled and keep-alive connections would otherwise hold close() open.
    server.closeAllConnections();
  });
}
