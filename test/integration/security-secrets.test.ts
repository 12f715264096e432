import { inspect } from 'node:util';

import { logger, resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { MAX_DETAIL_LENGTH } from '../../src/lib/bynder/constants';
import type { AssetItem } from '../../src/lib/delivery/asset-item';
import { ledgerKeyOf } from '../../src/lib/state/ledger';
import type { Logger } from '../../src/lib/runtime-ports';
import { APP_KV_ROWS } from '../../src/lib/state/kv-rows';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { echoingMessages, findLeaks } from '../helpers/secret-scan';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';

// The token and the OAuth client secret must never leave the secrets store: not in a log line (the
// SDK's public logger, spied), not on stdout/stderr, not in an error, a failureReason, a form answer
// or a settings/kvStore row. Every path that touches them runs here, good and bad, with faults; then
// everything captured is scanned for the secrets and their encoded forms.

const TOKEN = 'perm-T0KEN-9c4e1f7a2b8d6e3f';
const LIMITED_TOKEN = 'limited-T0KEN-5e7d9c1b3a2f';
const WRONG_TOKEN = 'wrong-T0KEN-0a1b2c3d4e5f';
const CLIENT_ID = 'security-client-7d2e';
// Characters that change under URL and form encoding, so a redaction of the raw text alone would miss them.
const CLIENT_SECRET = 'cl+secret/Q9z=Ww7x#K1';
const WRONG_SECRET = 'wr+ong/secret=Zz8#Y2';
const SECRETS = [TOKEN, LIMITED_TOKEN, WRONG_TOKEN, CLIENT_ID, CLIENT_SECRET, WRONG_SECRET];

const emulator = useEmulator({
  seed: 'examples/portal.json',
  tokens: [{ token: TOKEN }, { token: LIMITED_TOKEN, scopes: ['asset:read'], roles: [] }],
  oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenTtlSeconds: 60 }],
  rateLimit: false,
});

/** Everything the app said or produced, one text per capture, labelled with where it came from. */
const captured: Array<{ where: string; text: string }> = [];
const capture = (where: string, value: unknown) =>
  captured.push({
    where,
    text: typeof value === 'string' ? value : inspect(value, { depth: 10, showHidden: true }),
  });

const lifecycle = new Lifecycle();
const saveConnection = async (action: string, data: Record<string, unknown>) =>
  capture(
    `form ${action}`,
    JSON.stringify(await lifecycle.onSettingsForm('connection', action, data as SubmittedFormData)),
  );

async function deliverBatch(items: AssetItem[], attempt = 1, syncId = 'security-sync') {
  const result = await new BynderAssetSync().deliver({
    items,
    attempt,
    sync: { id: syncId, name: 'Security sync' },
  });
  capture(`deliver ${syncId} attempt ${attempt}`, result);
  return result;
}

async function scanStores(label: string, syncs: string[], delivered: AssetItem[][]): Promise<void> {
  for (const key of ['connection', 'records', 'throughput', '$formState']) {
    capture(`${label} settings ${key}`, await storage.settings.get(key));
  }
  const kvKeys = APP_KV_ROWS.map((row) => row.key);
  for (const syncId of syncs) for (const items of delivered) kvKeys.push(ledgerKeyOf(syncId, items));
  for (const key of kvKeys) capture(`${label} kvStore ${key}`, await storage.kvStore.get(key));
}

let ids: string[] = [];
const batches: AssetItem[][] = [];
const syncIds = ['security-sync', 'security-oauth', 'security-wrong', 'security-echo'];

beforeAll(async () => {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) =>
      capture(`logger.${level}`, args.map((a) => inspect(a, { depth: 10 })).join(' ')),
    );
  }
  const write = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      capture(stream, String(chunk));
      return true;
    });
  write('stdout');
  write('stderr');

  resetLocalStores();
  ids = emulator
    .snapshot()
    .assets.slice(0, 40)
    .map((asset) => asset.id);

  // Settings form: good, wrong, under-privileged and failing portals, both sign-in methods.
  const portal = emulator.url;
  await saveConnection('test_connection', { portal, auth_method: 'permanent_token', token: WRONG_TOKEN });
  await saveConnection('save', { portal, auth_method: 'permanent_token', token: LIMITED_TOKEN });
  emulator.faults.add({ match: 'GET /api/v4/metaproperties/', status: 500, times: 1 });
  await saveConnection('save', { portal, auth_method: 'permanent_token', token: TOKEN });
  await saveConnection('save', {
    portal,
    auth_method: 'oauth_client_credentials',
    client_id: CLIENT_ID,
    client_secret: WRONG_SECRET,
  });
  await saveConnection('test_connection', {
    portal,
    auth_method: 'permanent_token',
    token: `Bearer ${TOKEN}`,
  });
  await saveConnection('save', { portal, auth_method: 'permanent_token', token: TOKEN });
  await lifecycle.onSettingsForm('throughput', 'save', { requests_per_second: '15', max_in_flight: '10' });

  // Schema and readiness.
  capture('schema', await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema());
  capture('ready', await new BynderAssetSync().ready());

  // deliver() with the token: transient failures, a reset, a rejection, a missing asset, a 429.
  const first: AssetItem[] = [
    ...ids.slice(0, 10).map((id) => ({ asset_id: id, description: `secure ${id}` })),
    { asset_id: ids[10], campaign_name: 'no_such_campaign' },
    { asset_id: 'FFFF0000-0000-4000-8000000000000000', description: 'missing' },
  ];
  batches.push(first);
  emulator.faults.add({ match: `POST /api/v4/media/${ids[0]}/`, status: 503, times: 4 });
  emulator.faults.add({ match: `POST /api/v4/media/${ids[1]}/`, reset: true, times: 1 });
  await deliverBatch(first, 1);
  await deliverBatch(first, 2);
  const second = ids.slice(11, 20).map((id) => ({ asset_id: id, description: `limited ${id}` }));
  batches.push(second);
  emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 429, times: 1 });
  await deliverBatch(second, 1);
  await storage.kvStore.delete('delivery_rate_limit_block');

  // A hostile server echoing the token back, encoded, and placed across the cut of Bynder's message:
  // refused writes (failureReason, rejection log), unavailable ones (warn logs, the batch's stop) and
  // the field list (the schema function's error, with stack and cause).
  const tokenEchoes = echoingMessages(TOKEN, undefined, MAX_DETAIL_LENGTH);
  const spare = emulator
    .snapshot()
    .assets.slice(40)
    .map((asset) => asset.id);
  const refusedIds = spare.slice(0, tokenEchoes.length);
  const unavailableIds = spare.slice(tokenEchoes.length, 2 * tokenEchoes.length);
  tokenEchoes.forEach((message, i) => {
    emulator.faults.add({ match: `POST /api/v4/media/${refusedIds[i]}/`, status: 400, message });
    emulator.faults.add({
      match: `POST /api/v4/media/${unavailableIds[i]}/`,
      status: 503,
      message,
      times: 4,
    });
  });
  const echoed = [...refusedIds, ...unavailableIds].map((id) => ({
    asset_id: id,
    description: `echo ${id}`,
  }));
  batches.push(echoed);
  await deliverBatch(echoed, 1, 'security-echo');
  emulator.faults.clear();
  for (const message of tokenEchoes) {
    await storage.kvStore.delete('field_model_metaproperties');
    emulator.faults.add({ match: 'GET /api/v4/metaproperties/', status: 400, message, times: 1 });
    try {
      await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
      capture('schema (echo)', 'no error');
    } catch (error) {
      capture('schema error (echo)', error);
      capture('schema error stack (echo)', (error as Error).stack ?? '');
      capture('schema error cause stack (echo)', ((error as Error).cause as Error | undefined)?.stack ?? '');
    }
  }
  emulator.faults.clear();

  // OAuth client credentials: token requests, a 401 mid-run (the client renews), a 403.
  await saveConnection('save', {
    portal,
    auth_method: 'oauth_client_credentials',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  });
  const third = ids
    .slice(20, 30)
    .map((id) => ({ asset_id: id, description: `oauth ${id}`, _isDeleted: id === ids[29] }));
  batches.push(third);
  emulator.faults.add({ match: 'POST /api/v4/media/:id/', status: 401, times: 1 });
  emulator.faults.add({ match: `POST /api/v4/media/${ids[22]}/`, status: 403, times: 1 });
  await deliverBatch(third, 1, 'security-oauth');
  await deliverBatch(third, 2, 'security-oauth');

  // Credentials that Bynder refuses, stored as if an old token had been revoked.
  await storage.secrets.put('connection', { token: WRONG_TOKEN });
  await storage.settings.put('connection', { portal, auth_method: 'permanent_token' });
  await storage.kvStore.delete('field_model_metaproperties');
  await deliverBatch(second, 1, 'security-wrong');
  capture('ready (revoked)', await new BynderAssetSync().ready());
  try {
    await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    capture('schema (revoked)', 'no error');
  } catch (error) {
    capture('schema error (revoked)', error);
  }

  // The client on its own: errors as callers see them, with cause chains.
  const clientLog: Logger = {
    debug: (...a) => capture('client debug', a),
    info: (...a) => capture('client info', a),
    warn: (...a) => capture('client warn', a),
    error: (...a) => capture('client error', a),
  };
  const clients = [
    new BynderClient({
      portalUrl: portalOf(portal),
      credentials: { kind: 'permanent_token', token: WRONG_TOKEN },
      logger: clientLog,
      retries: 1,
      timeoutMs: 300,
    }),
    new BynderClient({
      portalUrl: portalOf(portal),
      credentials: { kind: 'oauth_client_credentials', clientId: CLIENT_ID, clientSecret: WRONG_SECRET },
      logger: clientLog,
      retries: 1,
      timeoutMs: 300,
    }),
    new BynderClient({
      portalUrl: portalOf(portal),
      credentials: { kind: 'permanent_token', token: TOKEN },
      logger: clientLog,
      retries: 1,
      timeoutMs: 300,
    }),
  ];
  emulator.faults.add({ match: `POST /api/v4/media/${ids[31]}/`, stall: true, times: 2 });
  emulator.faults.add({ match: `POST /api/v4/media/${ids[32]}/`, reset: true, times: 2 });
  for (const client of clients) {
    for (const call of [
      () => client.testConnection(),
      () => client.getMedia('FFFF0000-0000-4000-8000000000000001'),
      () => client.updateMedia(ids[31] ?? '', { description: 'stalled' }),
      () => client.updateMedia(ids[32] ?? '', { description: 'reset' }),
    ]) {
      try {
        capture('client result', await call());
      } catch (error) {
        capture('client error thrown', error);
        capture('client error stack', (error as Error).stack ?? '');
        capture('client error json', JSON.stringify(error));
      }
    }
  }
  emulator.faults.clear();

  // The token endpoint echoing the client secret (percent-encoded in either case, in HTTP Basic form,
  // across the cut), to a client with a clock of its own so it asks for a token rather than reuse one.
  for (const message of echoingMessages(CLIENT_SECRET, CLIENT_ID, MAX_DETAIL_LENGTH)) {
    emulator.faults.add({ match: 'POST /v6/authentication/oauth2/token', status: 401, message, times: 1 });
    const client = new BynderClient({
      portalUrl: portalOf(portal),
      credentials: { kind: 'oauth_client_credentials', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      logger: clientLog,
      clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
      retries: 1,
    });
    try {
      capture('client result (echo)', await client.testConnection());
    } catch (error) {
      capture('client error thrown (echo)', error);
      capture('client error stack (echo)', (error as Error).stack ?? '');
      capture('client error json (echo)', JSON.stringify(error));
    }
  }
  emulator.faults.clear();
  await scanStores('after', syncIds, batches);
}, 60_000);

afterAll(() => {
  vi.restoreAllMocks();
  resetLocalStores();
});

describe('secrets stay secret', () => {
  it('captured the app at work: log lines, errors, failure reasons, form answers and stored rows', () => {
    const where = new Set(captured.map((c) => c.where.split(' ')[0]));
    for (const kind of ['logger.warn', 'logger.info', 'deliver', 'form', 'schema', 'client', 'after']) {
      expect(where).toContain(kind);
    }
    const text = captured.map((c) => c.text).join('\n');
    expect(text).toMatch(/401/);
    expect(text).toMatch(/rejected/);
    expect(text).toMatch(/rate limit/i);
  });

  it('finds a secret where one is meant to be (the scan works): the secrets store holds the token', async () => {
    const stored = inspect(await storage.secrets.get('connection'));
    expect(findLeaks([{ where: 'secrets store', text: stored }], WRONG_TOKEN)).not.toEqual([]);
  });

  it('played the echoing server: its refusals reached failureReason, the rejection log and the schema error', () => {
    const text = (prefix: string) =>
      captured
        .filter((c) => c.where.startsWith(prefix))
        .map((c) => c.text)
        .join('\n');
    expect(text('deliver security-echo')).toMatch(/Bynder refused the write.*echo \[REDACTED\] echo/);
    expect(text('after kvStore delivery_rejections')).toMatch(/echo \[REDACTED\] echo/);
    expect(text('schema error (echo)')).toMatch(/echo \[REDACTED\] echo/);
    expect(text('client error thrown (echo)')).toMatch(/echo \[REDACTED\] echo/);
  });

  it.each(SECRETS)('never shows %s, in any encoding or a piece of one, anywhere captured', (secret) => {
    expect(findLeaks(captured, secret, CLIENT_ID)).toEqual([]);
  });
});
