import { describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import type { MediaForm } from '../../src/lib/bynder/bynder-api';
import { uploadFile } from '../../src/lib/bynder/upload';
import type { Field } from '../../src/lib/fields/field';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import {
  type JsonSchema,
  adaptInferred,
  loadBynderOpenApi,
  mergeSchemas,
  type PublishedOperation,
  schemaFromExample,
  type SchemaOptions,
} from '../helpers/bynder-openapi';
import { type CapturedExchange, useCapturingProxy } from '../helpers/capturing-proxy';
import { portalOf } from '../helpers/portal-origin';
import { silentLogger } from '../helpers/test-loggers';
import { callEmulator, useEmulator } from '../helpers/use-emulator';
import { flattenOptions } from '../../dev/bynder-emulator/taxonomy';
import { DEFAULT_BRANDS } from '../../dev/bynder-emulator/uploads';

// Bynder's published API (test/fixtures/bynder-openapi/) as a contract for both sides of the wire:
// the app's real BynderClient drives the emulator through a capturing proxy on every route it uses,
// with every form field the field model writes; then (b) each request is checked against the
// published operation (method, path, query parameters and their limits, body encoding, form field
// names and values) and (a) each answer against the published response schema, or the published
// example where only an example is given. Both boolean spellings are checked: true/false (the
// published examples) and 1/0 (Bynder's payloads, the emulator's default).
//
// What the emulator or client does differently on purpose is listed here, and in docs/emulator.md
// with the reason; anything else that differs fails.

const FULL = 'contract-full-token-51ab';
const NO_ROLES = 'contract-read-only-token-7d02';
/** One OAuth client per run: the token is cached per client, and each run asks for one. */
const CLIENTS = [
  { clientId: 'contract-client-a', clientSecret: 'contract-secret-93c4' },
  { clientId: 'contract-client-b', clientSecret: 'contract-secret-1f7e' },
];

const emulator = useEmulator({
  seed: 'demo-portal',
  tokens: [{ token: FULL }, { token: NO_ROLES, roles: [] }],
  oauthClients: CLIENTS,
  rateLimit: false,
});
const proxy = useCapturingProxy(() => emulator.url);
const api = loadBynderOpenApi();

/**
 * Operations the client calls with the trailing slash Bynder's SDKs use, where the description
 * publishes the path without one (docs/emulator.md: "Paths").
 */
const TRAILING_SLASH_ADDED = new Set([
  'GET /api/v4/metaproperties',
  'GET /api/v4/metaproperties/{id}/options',
  'POST /api/v4/metaproperties/{id}/options',
  'GET /api/v4/media/{id}',
  'POST /api/v4/media/{id}',
  'DELETE /api/v4/media/{id}',
  'GET /api/upload/endpoint',
  'POST /api/upload/init',
  'POST /api/v4/upload/{id}',
  'GET /api/v4/upload/poll',
  'POST /api/v4/media/save/{importId}',
  'POST /api/v4/media/{id}/save/{importId}',
]);

/**
 * Statuses an operation answers without publishing them: the option create's description says it
 * "Requires the METAPROPERTYMANAGEMENT or METAMANAGEMENT security role" but lists no 403, the
 * answer every other route gives for a missing role (docs/emulator.md: "Option writes").
 */
const UNPUBLISHED_STATUS = new Map([['POST /api/v4/metaproperties/{id}/options', 403]]);

const listingOperation = () => api.find('GET', '/api/v4/metaproperties/')!;

/** The option fields the listing's published example shows: the options endpoint answers them too. */
function listingOptionExample(): Record<string, unknown> {
  const [example] = api.responseExamples(listingOperation(), 200) as Array<
    Record<string, { options?: unknown[] }>
  >;
  const option = Object.values(example ?? {}).find((mp) => mp.options?.length)?.options?.[0];
  if (typeof option !== 'object' || option === null) throw new Error('the listing example has no option');
  return option as Record<string, unknown>;
}

/** Deliberate extras, by record kind (each in docs/emulator.md with its reason). */
function extrasFor(op: PublishedOperation): Pick<SchemaOptions, 'extras' | 'patternExtras'> {
  const key = `${op.method} ${op.template}`;
  const propertyValue: JsonSchema = {
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  };
  if (key === 'GET /api/v4/media/' || key === 'GET /api/v4/media/{id}') {
    const one = api.find('GET', '/api/v4/media/X/')!;
    const related = api.responseSchema(one, 200) as JsonSchema;
    return {
      // The list's description omits relatedAssets, which one asset's answer documents.
      extras:
        key === 'GET /api/v4/media/'
          ? { relatedAssets: (related.properties as JsonSchema).relatedAssets as JsonSchema }
          : {},
      patternExtras: { '^property_': propertyValue },
    };
  }
  if (key === 'GET /api/v4/metaproperties/{id}/options') {
    // The option fields the listing's example documents, and externalReference (a published filter).
    const fromListing = (schemaFromExample(listingOptionExample()) as JsonSchema).properties as Record<
      string,
      JsonSchema
    >;
    return { extras: { ...fromListing, externalReference: { type: 'string' } } };
  }
  if (key === 'POST /api/v4/metaproperties/{id}/options') {
    // The schema omits existingUUID, which the published 400 example for a taken name carries.
    return { extras: { existingUUID: { type: 'string' } } };
  }
  return {};
}

/** The schema an answer must meet: the published one, else one inferred from the published example. */
function answerSchema(
  op: PublishedOperation,
  status: number,
  booleans: 'json' | 'either',
): JsonSchema | true | undefined {
  const options: SchemaOptions = { closed: true, booleans, ...extrasFor(op) };
  const published = api.responseSchema(op, status, options);
  if (published !== undefined) return published;
  const examples = api.responseExamples(op, status);
  if (examples.length === 0) return undefined;
  if (op.template === '/api/v4/metaproperties') {
    // An object keyed by name: every value is a metaproperty like the example's.
    const metaproperty = examples
      .flatMap((example) => Object.values(example as Record<string, unknown>))
      .map(schemaFromExample)
      .reduce(mergeSchemas, undefined) as JsonSchema;
    const option = ((metaproperty.properties as JsonSchema).options as JsonSchema).items as JsonSchema;
    // The listing nests child options (a hierarchical taxonomy) and names an option's external reference.
    option.properties = {
      ...(option.properties as JsonSchema),
      externalReference: { type: 'string' },
      options: true,
    };
    const closed = adaptInferred(metaproperty, { closed: true, booleans }) as JsonSchema;
    closed.required = ['id', 'name', 'type'];
    (((closed.properties as JsonSchema).options as JsonSchema).items as JsonSchema).required = ['id', 'name'];
    return { type: 'object', additionalProperties: closed };
  }
  return adaptInferred(examples.map(schemaFromExample).reduce(mergeSchemas, undefined)!, {
    closed: true,
    booleans,
  });
}

/** Where a captured exchange differs from the published description; empty when it does not. */
function contractProblems(exchange: CapturedExchange, booleans: 'json' | 'either'): string[] {
  const where = `${exchange.method} ${exchange.path}`;
  const op = api.find(exchange.method, exchange.path);
  if (!op) return [`${where}: no published operation`];
  const key = `${op.method} ${op.template}`;
  const problems = api.checkRequest(exchange, op).map((problem) => `${where}: ${problem}`);
  const slashSent = exchange.path.endsWith('/');
  const slashPublished = op.template.endsWith('/');
  if (slashSent !== slashPublished && !(slashSent && TRAILING_SLASH_ADDED.has(key))) {
    problems.push(`${where}: trailing slash ${slashSent ? 'sent' : 'missing'}; published as ${op.template}`);
  }
  const answer = exchange.answer;
  if (!answer) return [...problems, `${where}: no answer`];
  if (UNPUBLISHED_STATUS.get(key) === answer.status) return problems;
  if (!api.declares(op, answer.status)) {
    return [...problems, `${where}: answered ${answer.status}, which ${key} does not publish`];
  }
  // HTTP forbids a body on 204 (RFC 9110, 15.3.5), though /api/media/options publishes an envelope.
  if (answer.status === 204 && answer.body === '') return problems;
  const schema = answerSchema(op, answer.status, booleans);
  if (schema === undefined) {
    // Published without a body (204): none may come.
    if (answer.body !== '') problems.push(`${where}: ${answer.status} with a body, published without one`);
    return problems;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return [...problems, `${where}: ${answer.status} answer is not JSON`];
  }
  return [
    ...problems,
    ...api.validate(schema, body).map((problem) => `${where} ${answer.status}: ${problem}`),
  ];
}

/** A value for each writable field, from the demo portal, and the form the field model encodes. */
function formFor(fields: readonly Field[], optionNames: (metapropertyId: string) => string[]): MediaForm {
  const form: MediaForm = {};
  const policy = { emptyValues: 'clear', unknownOptions: 'reject' } as const;
  const standard: Record<string, unknown> = {
    name: 'Contract name',
    description: '', // an empty value under emptyValues "clear": `description=`
    copyright: '© Contract',
    tags: 'contract, openapi',
    archive: false,
    isPublic: true,
    limited: false,
    datePublished: '2024-05-01T10:00:00Z',
    archiveDate: '2030-01-01T00:00:00Z',
    limitedDate: '2029-06-01',
    watermarkDate: '2029-01-01T12:00:00+01:00',
    brandId: DEFAULT_BRANDS[0]!.id,
  };
  for (const field of fields) {
    // Add/remove values never travel as form fields (they become a whole list or the option calls).
    // The file fields feed the upload flow (its own routes, below), never the modify form.
    if (field.formKey === undefined || /^[+-]/.test(field.formKey) || field.target.kind === 'file') continue;
    const target = field.target;
    let value: unknown;
    if (target.kind === 'standard') value = standard[target.property];
    else if (target.kind === 'metaproperty') {
      value =
        target.optionCount > 0
          ? optionNames(target.id)
              .slice(0, target.multiple ? 2 : 1)
              .join(',')
          : target.type === 'date'
            ? '2024-05-01'
            : 'Contract text';
    }
    const write = field.toWrite(value, policy);
    if (write.kind === 'set') form[field.formKey] = write.formValue;
    else if (write.kind === 'clear') form[field.formKey] = '';
    else throw new Error(`no value for ${field.name}: ${JSON.stringify(write)}`);
  }
  return form;
}

const failureOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Every route the client uses, its answers and its errors, through the capturing proxy. */
async function driveEveryRoute(
  assetIds: { read: string[]; modify: string; remove: string },
  oauthClient: (typeof CLIENTS)[number],
): Promise<void> {
  const portalUrl = portalOf(proxy.url);
  const client = (token: string) =>
    new BynderClient({
      portalUrl,
      credentials: { kind: 'permanent_token', token },
      logger: silentLogger,
      retries: 0,
    });
  const oauth = new BynderClient({
    portalUrl,
    credentials: { kind: 'oauth_client_credentials', ...oauthClient },
    logger: silentLogger,
    retries: 0,
  });
  const full = client(FULL);
  const unknownId = '00000000-0000-0000-0000000000000000';

  await oauth.testConnection(); // token, then the listing without options
  const listing = await full.listMetaproperties(); // with options, paging the 2,400-option list
  expect(listing.skipped).toEqual([]);
  const model = buildFieldModel(listing.metaproperties, {
    primaryKey: { kind: 'asset_id' },
    logger: silentLogger,
    fetchedAt: 0,
  });
  const byId = new Map(listing.metaproperties.map((mp) => [mp.id, mp]));
  const form = formFor(model.fields, (id) =>
    (byId.get(id)?.options ?? []).filter((o) => o.isSelectable !== false).map((o) => o.name),
  );

  await full.listMediaByIds([...assetIds.read, unknownId]);
  const [first] = await full.listMediaByIds(assetIds.read.slice(0, 1));
  const key = first?.property_external_id;
  if (typeof key !== 'string') throw new Error('demo asset lacks external_id');
  await full.findMediaByProperty('external_id', key);
  await full.findMediaByProperty('external_id', key, 1000, 2);
  await full.getMedia(assetIds.read[0]!);
  await failureOf(full.getMedia(unknownId)); // 404
  await full.updateMedia(assetIds.modify, form); // 202
  await failureOf(full.updateMedia(unknownId, { name: 'x' })); // 404
  await failureOf(client(NO_ROLES).updateMedia(assetIds.modify, { name: 'x' })); // 403
  await failureOf(client(NO_ROLES).deleteMedia(assetIds.remove)); // 403
  // An asset's options, added and removed one metaproperty at a time, and option creation.
  const multi = listing.metaproperties.find(
    (mp) => mp.isMultiselect === true && (mp.options?.length ?? 0) >= 2 && mp.options!.length < 100,
  );
  if (!multi) throw new Error('the demo portal has no small multi-select');
  const [optionA, optionB] = multi.options!;
  const change = {
    mediaId: assetIds.modify,
    metapropertyId: multi.id,
    optionIds: [optionA!.id, optionB!.id],
  };
  await full.changeMediaOptions({ kind: 'add', ...change }); // 201
  await full.changeMediaOptions({ kind: 'remove', ...change, optionIds: [optionB!.id] }); // 204
  await failureOf(client(NO_ROLES).changeMediaOptions({ kind: 'add', ...change })); // 403
  await failureOf(full.changeMediaOptions({ kind: 'remove', ...change, mediaId: unknownId })); // 404
  const label = `Contract option ${oauthClient.clientId}`;
  const created = await full.createMetapropertyOption(multi.id, {
    name: label.toLowerCase().replace(/\W+/g, '_'),
    label,
  });
  expect(created.kind).toBe('created');
  const again = await full.createMetapropertyOption(multi.id, {
    name: label.toLowerCase().replace(/\W+/g, '_'),
    label,
  }); // 400
  expect(again).toEqual({ kind: 'exists', id: created.id });
  await failureOf(client(NO_ROLES).createMetapropertyOption(multi.id, { name: 'x', label: 'x' })); // 403
  await failureOf(full.createMetapropertyOption(unknownId, { name: 'x', label: 'x' })); // 404
  await full.deleteMedia(assetIds.remove); // 204
  await failureOf(full.deleteMedia(assetIds.remove)); // 404
  // The options endpoint's published 400 for an unknown metaproperty (the client pages listed ids only).
  await fetch(`${proxy.url}/api/v4/metaproperties/${unknownId}/options/?limit=1000&page=1`, {
    headers: { Authorization: `Bearer ${FULL}` },
  });
}

describe("Bynder's published API as a contract for the client and the emulator", () => {
  it.each([
    ['true/false, as the published examples spell booleans', false, 'json', 0],
    ['1/0, as Bynder payloads and its clients fixtures spell them', true, 'either', 1],
  ] as const)('every route the client uses, with booleans as %s', async (_what, asNumbers, booleans, run) => {
    emulator.configure({ booleansAsNumbers: asNumbers });
    const assets = emulator
      .snapshot()
      .assets.slice(run * 10, run * 10 + 10)
      .map((asset) => asset.id);
    proxy.captured.length = 0;
    await driveEveryRoute(
      { read: assets.slice(0, 5), modify: assets[5]!, remove: assets[6]! },
      CLIENTS[run]!,
    );

    const routes = new Set(
      proxy.captured.map((exchange) => {
        const op = api.find(exchange.method, exchange.path);
        return `${op?.method} ${op?.template} ${exchange.answer?.status}`;
      }),
    );
    // Every operation the client has, with its success and the error answers above.
    expect([...routes].sort()).toEqual(
      [
        'DELETE /api/v4/media/{id} 204',
        'DELETE /api/v4/media/{id} 403',
        'DELETE /api/v4/media/{id} 404',
        'GET /api/v4/media/ 200',
        'GET /api/v4/media/{id} 200',
        'GET /api/v4/media/{id} 404',
        'GET /api/v4/metaproperties 200',
        'GET /api/v4/metaproperties/{id}/options 200',
        'GET /api/v4/metaproperties/{id}/options 400',
        'POST /api/v4/media/{id} 202',
        'POST /api/v4/media/{id} 403',
        'POST /api/v4/media/{id} 404',
        'POST /v6/authentication/oauth2/token 200',
        'POST /api/media/options 201',
        'POST /api/media/options 403',
        'DELETE /api/media/options 204',
        'DELETE /api/media/options 404',
        'POST /api/v4/metaproperties/{id}/options 201',
        'POST /api/v4/metaproperties/{id}/options 400',
        'POST /api/v4/metaproperties/{id}/options 403',
        'POST /api/v4/metaproperties/{id}/options 404',
      ].sort(),
    );
    const problems = proxy.captured.flatMap((exchange) => contractProblems(exchange, booleans));
    expect(problems).toEqual([]);

    // The modify form carried every kind of field the field model writes, so each was checked above.
    const modify = proxy.captured.find(
      (exchange) => exchange.method === 'POST' && exchange.answer?.status === 202,
    );
    const keys = [...new URLSearchParams(modify?.body ?? '').keys()];
    expect(keys).toEqual(
      expect.arrayContaining([
        'name',
        'description',
        'tags',
        'archive',
        'isPublic',
        'datePublished',
        'archiveDate',
        'limitedDate',
        'watermarkDate',
        'brandId',
      ]),
    );
    expect(keys.filter((name) => name.startsWith('metaproperty.')).length).toBeGreaterThan(5);
  });

  it('answers option pages as a flat list with date-times, as the options endpoint documents', async () => {
    // Region: a hierarchical taxonomy whose seeded options carry the listing's date form.
    const region = Object.values(emulator.snapshot().metaproperties).find((mp) => mp.name === 'region');
    const nested = flattenOptions(region?.options ?? []);
    expect(nested.length).toBeGreaterThan(region?.options?.length ?? 0);
    const page = await callEmulator(
      emulator,
      'GET',
      `/api/v4/metaproperties/${region?.id}/options/?limit=1000`,
      {
        token: FULL,
      },
    );
    const options = page.json as Array<Record<string, unknown>>;
    expect(options.map((option) => option.id)).toEqual(nested.map((option) => option.id));
    expect(options.filter((option) => option.options !== undefined)).toEqual([]);
    const dates = options.flatMap((option) => (option.date === undefined ? [] : [option.date]));
    expect(dates.length).toBeGreaterThan(0);
    const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
    expect(dates.filter((date) => typeof date !== 'string' || !dateTime.test(date))).toEqual([]);
  });

  it('every upload route the client uses, its requests as published', async () => {
    emulator.configure({ booleansAsNumbers: true, conversionDelayMs: 0 });
    const client = new BynderClient({
      portalUrl: portalOf(proxy.url),
      credentials: { kind: 'permanent_token', token: FULL },
      logger: silentLogger,
      retries: 0,
    });
    const listing = await client.listMetaproperties();
    const model = buildFieldModel(listing.metaproperties, {
      primaryKey: { kind: 'asset_id' },
      logger: silentLogger,
      fetchedAt: 0,
    });
    const byId = new Map(listing.metaproperties.map((mp) => [mp.id, mp]));
    const modify = formFor(model.fields, (id) =>
      (byId.get(id)?.options ?? []).filter((o) => o.isSelectable !== false).map((o) => o.name),
    );
    // The save takes the modify's fields except archive, limited and datePublished, which it does
    // not publish (it names the publication date ISOPublicationDate): only the published ones go.
    const SAVE_FIELDS = new Set(['name', 'description', 'copyright', 'tags', 'isPublic']);
    const form = Object.fromEntries(
      Object.entries(modify).filter(([key]) => SAVE_FIELDS.has(key) || key.startsWith('metaproperty.')),
    );
    const file = (name: string) => ({
      fileName: name,
      body: (async function* body() {
        yield new TextEncoder().encode(`contract file ${name}`);
      })(),
    });
    const deps = { api: client, logger: silentLogger, pollIntervalMs: 0 };
    proxy.captured.length = 0;
    const created = await uploadFile(file('contract.jpg'), { kind: 'new_asset', form }, deps);
    await uploadFile(file('contract-v2.jpg'), { kind: 'new_version', mediaId: created.mediaId }, deps);

    const routes = new Set(
      proxy.captured.map((exchange) => {
        const op = api.find(exchange.method, exchange.path);
        return `${op?.method} ${op?.template} ${exchange.answer?.status}`;
      }),
    );
    // The brand (none given: the portal's only one), then each step of both uploads.
    expect([...routes].sort()).toEqual(
      [
        'GET /api/upload/endpoint 200',
        'GET /api/v4/brands/ 200',
        'GET /api/v4/upload/poll 200',
        'POST /api/upload/init 200',
        'POST /api/v4/media/save/{importId} 201',
        'POST /api/v4/media/{id}/save/{importId} 201',
        'POST /api/v4/upload/{id} 202',
      ].sort(),
    );
    const problems = proxy.captured.flatMap((exchange) => contractProblems(exchange, 'either'));
    expect(problems).toEqual([]);
    // The save carried every kind of field a new asset can be given, so each was checked above.
    const save = proxy.captured.find((exchange) => exchange.path.startsWith('/api/v4/media/save/'));
    const keys = [...new URLSearchParams(save?.body ?? '').keys()];
    expect(keys).toEqual(expect.arrayContaining(['brandId', 'name', 'description', 'tags', 'isPublic']));
    expect(keys.filter((name) => name.startsWith('metaproperty.')).length).toBeGreaterThan(5);
  });
});
