import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { validateDestinationSchema } from '../../dev/validate/destination-schema-rules';
import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { metapropertyListingSchema } from '../../src/lib/bynder/response-schemas';
import { toDestinationSchema } from '../../src/lib/fields/destination-schema';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import { silentLogger } from '../helpers/test-loggers';

const root = path.join(__dirname, '../..');
function readWhole(body: unknown): Metaproperty[] {
  const listing = metapropertyListingSchema.parse(body);
  if (listing.skipped.length > 0) {
    throw new Error(`fixture entries unreadable: ${JSON.stringify(listing.skipped)}`);
  }
  return listing.metaproperties;
}
const readMetaproperties = (file: string, pick: (json: never) => unknown = (json) => json): Metaproperty[] =>
  readWhole(pick(JSON.parse(readFileSync(path.join(root, file), 'utf8')) as never));

const SOURCES: Array<[string, Metaproperty[]]> = [
  // The seed's metaproperties are a GET /api/v4/metaproperties/ answer (dev/bynder-emulator/seed.ts).
  [
    'the demo portal',
    readMetaproperties('examples/portal.json', (seed: { metaproperties: unknown }) => seed.metaproperties),
  ],
  ['the nasty fixture', readMetaproperties('test/fixtures/nasty-metaproperties.json')],
];

describe.each(SOURCES)('toDestinationSchema over %s', (label, metaproperties) => {
  for (const primaryKey of [
    { kind: 'asset_id' },
    { kind: 'external_key', metaproperty: label === 'the demo portal' ? 'external_id' : 'x' },
  ] as const) {
    it(`passes the static-schema rules (${primaryKey.kind})`, () => {
      const model = buildFieldModel(metaproperties, { primaryKey, logger: silentLogger, fetchedAt: 0 });
      const schema = toDestinationSchema(model, 'bynder_assets');
      expect(validateDestinationSchema(schema, label)).toEqual([]);
      // What the rules do not check but OCP's mapping needs: unique names, exactly one primary.
      expect(new Set(schema.fields.map((f) => f.name)).size).toBe(schema.fields.length);
      expect(schema.fields.filter((f) => f.primary)).toHaveLength(1);
      expect(new Set(schema.fields.map((f) => f.display_name.toLowerCase())).size).toBe(schema.fields.length);
    });
  }

  it('renders every field of the model, in order, with only the DestinationSchema keys', () => {
    const model = buildFieldModel(metaproperties, {
      primaryKey: { kind: 'asset_id' },
      logger: silentLogger,
      fetchedAt: 0,
    });
    const schema = toDestinationSchema(model, 'bynder_assets');
    expect(schema).toMatchObject({ name: 'bynder_assets', display_name: 'Bynder Assets' });
    expect(Object.keys(schema).sort()).toEqual(['description', 'display_name', 'fields', 'name']);
    expect(schema.fields.map((f) => f.name)).toEqual(model.fields.map((f) => f.name));
    expect(schema.fields[0]).toEqual({
      name: 'asset_id',
      display_name: 'Asset ID',
      description: expect.stringContaining('Bynder asset id') as string,
      type: 'string',
      primary: true,
    });
    expect(schema.fields.slice(1).every((f) => !('primary' in f))).toBe(true);
  });
});

describe('the schema rules used above', () => {
  it('reject a field name OCP would refuse (so a pass above means something)', () => {
    const model = buildFieldModel([], {
      primaryKey: { kind: 'asset_id' },
      logger: silentLogger,
      fetchedAt: 0,
    });
    const schema = toDestinationSchema(model, 'bynder_assets');
    schema.fields.push({ name: '2024_campaign', display_name: ' ', description: 'x', type: 'string' });
    expect(validateDestinationSchema(schema, 'broken')).toHaveLength(2);
  });
});

describe('the nasty fixture', () => {
  it('yields the expected names for its awkward metaproperties', () => {
    const model = buildFieldModel(readMetaproperties('test/fixtures/nasty-metaproperties.json'), {
      primaryKey: { kind: 'asset_id' },
      logger: silentLogger,
      fetchedAt: 0,
    });
    const names = model.fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'region',
        'mp_2024_campaign',
        'mp_description',
        'mp_tags',
        'mp_asset_id',
        'unicode_strasse',
        'mp_x',
      ]),
    );
    expect(names.filter((n) => n.startsWith('region_') && /_[0-9a-f]{6}$/.test(n))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('campaign_very_long')).every((n) => n.length <= 62)).toBe(true);
  });
});
