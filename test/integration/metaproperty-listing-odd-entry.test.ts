import { logger, resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { validateDestinationSchema } from '../../dev/validate/destination-schema-rules';
import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import type { AppConfig } from '../../src/lib/config';
import type { KeyValueStore } from '../../src/lib/runtime-ports';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { fakeClock } from '../helpers/fake-clock';
import { useLoopbackServer } from '../helpers/loopback-server';
import { portalOf } from '../helpers/portal-origin';
import { recordingLogger } from '../helpers/test-loggers';

// One malformed metaproperty among valid ones, as a real portal may list it: the valid ones stay
// usable through the field model, the schema function and the settings' connection test, and the
// odd ones are reported as left out with what is wrong. A tiny server answers the listing, since
// the emulator fills in a missing name or type on load.

const TOKEN = 'odd-entry-token-3c9d';
const LISTING = {
  Region: {
    id: 'R1',
    name: 'region',
    label: 'Region',
    type: 'select',
    isMultiselect: 1,
    options: [
      { id: 'R1-A', name: 'emea', label: 'EMEA' },
      { id: 'R1-B', name: 'apac', label: 'APAC' },
    ],
  },
  Blank: { id: 'B1', name: '', label: 'Blank', type: 'text' },
  Untyped: { id: 'U1', name: 'untyped', label: 'Untyped' },
  Badoption: {
    id: 'O1',
    name: 'badoption',
    type: 'select',
    options: [
      { id: 'O1-A', name: 'fine' },
      { id: 'O1-B', label: 'No name' },
    ],
  },
  Notes: { id: 'N1', name: 'usage_notes', label: 'Usage notes', type: 'longtext' },
};
const LEFT_OUT = [
  { name: 'B1', reason: `unreadable in Bynder's listing: "name" is empty` },
  { name: 'untyped', reason: `unreadable in Bynder's listing (id U1): "type" is missing` },
  {
    name: 'badoption',
    reason: `unreadable in Bynder's listing (id O1): option 2 ("O1-B"): "name" is missing`,
  },
];

let listing: unknown = LISTING;
const server = useLoopbackServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/api/v4/metaproperties/') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(listing));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Not found', statuscode: 404 }));
});

let logLines: string[] = [];
beforeEach(async () => {
  listing = LISTING;
  logLines = [];
  resetLocalStores();
  await invalidateFieldModel(storage.kvStore);
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map(String).join(' '));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('one malformed metaproperty among valid ones', () => {
  it('leaves the valid ones in the field model and reports each odd one as left out, cached copy too', async () => {
    const said: string[] = [];
    const deps = {
      config: { portalUrl: portalOf(server.url), primaryKey: { kind: 'asset_id' } } as AppConfig,
      api: new BynderClient({
        portalUrl: portalOf(server.url),
        credentials: { kind: 'permanent_token', token: TOKEN },
        logger: recordingLogger(said),
      }),
      kvStore: storage.kvStore,
      logger: recordingLogger(said),
      clock: fakeClock(1_000_000),
    };
    const model = await getFieldModel(deps);
    expect(model.byName.get('region')?.target).toMatchObject({ kind: 'metaproperty', optionCount: 2 });
    expect(model.byName.has('usage_notes')).toBe(true);
    expect(model.leftOut).toEqual(LEFT_OUT);
    expect(said.join('\n')).toContain(
      `left out metaproperty "untyped" (id U1), which cannot be read: "type" is missing`,
    );

    // The next call reads the kvStore copy: the report of what was left out survives it.
    // Forget the in-process model but keep the kvStore row (this store's delete does nothing).
    await invalidateFieldModel({ delete: () => Promise.resolve({}) } as unknown as KeyValueStore);
    const again = await getFieldModel(deps);
    expect(again.leftOut).toEqual(LEFT_OUT);
    expect(again.fields.map((field) => field.name)).toEqual(model.fields.map((field) => field.name));
  });

  it('gives the schema function the valid fields and none of the odd ones', async () => {
    await storage.settings.put('connection', { portal: server.url, auth_method: 'permanent_token' });
    await storage.secrets.put('connection', { token: TOKEN });
    const schema = await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    expect(validateDestinationSchema(schema, 'bynder_assets (dynamic)')).toEqual([]);
    const names = schema.fields.map((field) => field.name);
    expect(names).toEqual(expect.arrayContaining(['asset_id', 'region', 'usage_notes']));
    expect(names.filter((name) => /untyped|badoption|blank/i.test(name))).toEqual([]);
    expect(logLines.join('\n')).toContain('left out metaproperty "badoption" (id O1)');
  });

  it('passes the connection test of the settings form', async () => {
    const data: Record<string, unknown> = {
      portal: server.url,
      auth_method: 'permanent_token',
      token: TOKEN,
    };
    const result = await new Lifecycle().onSettingsForm(
      'connection',
      'test_connection',
      data as SubmittedFormData,
    );
    expect(result.getResponse('connection').toasts).toEqual([expect.objectContaining({ intent: 'success' })]);
  });

  it("reads an empty portal's [] as a listing with only the standard fields", async () => {
    listing = [];
    await storage.settings.put('connection', { portal: server.url, auth_method: 'permanent_token' });
    await storage.secrets.put('connection', { token: TOKEN });
    const schema = await new BynderAssetSchema({ destinationKey: 'bynder_assets' }).getDestinationsSchema();
    expect(schema.fields.find((field) => field.primary)?.name).toBe('asset_id');
    expect(schema.fields.some((field) => field.name === 'region')).toBe(false);
  });
});
