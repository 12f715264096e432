import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';

import type { FaultRule } from './middleware/faults';
import type { RequestCounts, RequestFilter, RequestLogEntry } from './middleware/request-log';
import { type EmulatorSettings, settingsPatchSchema, type SettingsPatch } from './runtime-settings';
import type { Seed } from './seed';
import type { PortalSnapshot } from './state';

/** Base of the emulator-only admin routes: a reserved prefix, as LocalStack keeps `/_localstack`. */
export const CONTROL_PREFIX = '/__emulator';

/** What the admin routes act on (implemented by server.ts). */
export interface EmulatorControl {
  snapshot(): PortalSnapshot & { requests: RequestLogEntry[] };
  seed(seed: Seed): { warnings: string[] };
  reset(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  listFaults(): FaultRule[];
  configure(patch: SettingsPatch): EmulatorSettings;
  settings(): EmulatorSettings;
  requests(filter: RequestFilter): RequestLogEntry[];
  requestCounts(): RequestCounts;
  clearRequests(): void;
  settle(): Promise<void>;
}

const faultRuleSchema = z.strictObject({
  match: z.string().optional(),
  status: z.number().int().min(100).max(599).optional(),
  message: z.string().max(100_000).optional(),
  rate: z.number().min(0).max(1).optional(),
  times: z.number().int().min(1).optional(),
  delayMs: z.number().min(0).optional(),
  stall: z.boolean().optional(),
  stallMs: z.number().min(0).optional(),
  reset: z.boolean().optional(),
  host: z.enum(['bynder', 's3']).optional(),
  afterHandling: z.boolean().optional(),
});

/**
 * Admin routes under /__emulator/: no auth, no rate limit, no faults, not in the request log.
 * They exist only in the emulator (real asset creation needs Bynder's upload flow).
 */
export function controlRouter(control: EmulatorControl): Router {
  const router = express.Router({ strict: false, caseSensitive: true });
  router.use(express.json({ limit: '50mb' }));

  router.get('/state', (_req, res) => void res.json(control.snapshot()));
  router.post('/seed', (req, res) => {
    let warnings: string[];
    try {
      ({ warnings } = control.seed(req.body as Seed));
    } catch (error) {
      res.status(400).json({ message: (error as Error).message, statuscode: 400 });
      return;
    }
    const { metaproperties, assets } = control.snapshot();
    res.json({ metaproperties: Object.keys(metaproperties).length, assets: assets.length, warnings });
  });
  router.post('/reset', (_req, res) => {
    control.reset();
    res.status(204).end();
  });

  router.get('/faults', (_req, res) => void res.json(control.listFaults()));
  router.post('/faults', (req, res) => {
    const parsed = z.union([faultRuleSchema, z.array(faultRuleSchema)]).safeParse(req.body);
    if (!parsed.success) return badRequest(res, 'fault rule', parsed.error);
    for (const rule of [parsed.data].flat()) control.addFault(rule);
    res.status(201).json(control.listFaults());
  });
  router.delete('/faults', (_req, res) => {
    control.clearFaults();
    res.status(204).end();
  });

  router.get('/config', (_req, res) => void res.json(control.settings()));
  router.post('/config', (req, res) => {
    const parsed = settingsPatchSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, 'config patch', parsed.error);
    res.json(control.configure(parsed.data));
  });

  router.get('/requests', (req: Request, res) => {
    const filter: RequestFilter = {};
    if (typeof req.query.route === 'string') filter.route = req.query.route;
    if (typeof req.query.method === 'string') filter.method = req.query.method.toUpperCase();
    res.json({ entries: control.requests(filter), counts: control.requestCounts() });
  });
  router.delete('/requests', (_req, res) => {
    control.clearRequests();
    res.status(204).end();
  });

  router.post('/settle', async (_req, res) => {
    await control.settle();
    res.status(204).end();
  });
  return router;
}

function badRequest(res: Response, what: string, error: z.ZodError): void {
  res.status(400).json({ message: `invalid ${what}: ${z.prettifyError(error)}`, statuscode: 400 });
}
