import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { validateDestinationSchema } from '../../dev/validate/destination-schema-rules';
import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { useEmulator } from '../helpers/use-emulator';

// BynderAssetSchema.getDestinationsSchema() as OCP calls it: settings and secrets in the SDK's
// storage, the real client, the demo portal in the emulator.

const emulator = useEmulator({ seed: 'demo-portal' });
const schemaFunction = () => new BynderAssetSchema({ destinationKey: 'bynder_assets' });

async function configure(records: Record<string, string> = {}) {
  await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: emulator.token });
  if (Object.keys(records).length > 0) await storage.settings.put('records', records);
}

beforeEach(async () => {
  resetLocalStores();
  await invalidateFieldModel(storage.kvStore);
  emulator.clearRequests();
});

describe('BynderAssetSchema.getDestinationsSchema', () => {
  it("returns the demo portal's fields as a DestinationSchema that passes the schema rules", async () => {
    await configure();
    const schema = await schemaFunction().getDestinationsSchema();
    expect(validateDestinationSchema(schema, 'bynder_assets (dynamic)')).toEqual([]);
    expect(schema).toMatchObject({ name: 'bynder_assets', display_name: 'Bynder Assets' });
    expect(schema.fields.find((f) => f.primary)?.name).toBe('asset_id');
    expect(schema.fields.find((f) => f.name === 'region')).toMatchObject({
      display_name: 'Region',
      type: 'string',
      description: expect.stringMatching(/^Region: multi-select, \d+ options/) as string,
    });
  });

  it('answers a second call from the kvStore cache with 0 requests to Bynder', async () => {
    await configure();
    const first = await schemaFunction().getDestinationsSchema();
    emulator.clearRequests();
    const second = await schemaFunction().getDestinationsSchema();
    expect(emulator.requests()).toHaveLength(0);
    expect(second).toEqual(first);
  });

  it('tells the user to open the settings when the app is not configured, asking Bynder nothing', async () => {
    await expect(schemaFunction().getDestinationsSchema()).rejects.toThrow(
      /not configured.*open the app's settings in OCP/i,
    );
    expect(emulator.requests()).toHaveLength(0);
  });

  it('makes the external-key metaproperty the primary field', async () => {
    await configure({ primary_key: 'external_key', external_key_metaproperty: 'external_id' });
    const schema = await schemaFunction().getDestinationsSchema();
    expect(schema.fields.filter((f) => f.primary).map((f) => f.name)).toEqual(['external_id']);
    expect(schema.fields.some((f) => f.name === 'asset_id')).toBe(false);
  });

  it('names a missing external-key metaproperty and the fix', async () => {
    await configure({ primary_key: 'external_key', external_key_metaproperty: 'sku_code' });
    await expect(schemaFunction().getDestinationsSchema()).rejects.toThrow(
      /External key metaproperty "sku_code" does not exist in Bynder\. Choose an editable text metaproperty in the app's Records settings \(text metaproperties: external_id, photographer\)/,
    );
  });
});
