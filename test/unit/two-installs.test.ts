import { type KVStore, LocalAsyncStoreBackend, LocalKVStore } from '@zaiusinc/app-sdk';
import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { createAccessTokenSource, type IssuedToken } from '../../src/lib/bynder/access-token';
import type { BynderApi } from '../../src/lib/bynder/bynder-api';
import type { AppConfig } from '../../src/lib/config';
import { pinFieldNames } from '../../src/lib/fields/field-name-pins';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// OCP keeps a worker warm and may hand it invocations of several installs of the app, two of them
// possibly on one Bynder portal. Each install has its own stores; what the process keeps in memory
// between invocations must not carry one install's state into another's.

const PORTAL = 'https://acme.bynder.com';
/** Bynder today: one metaproperty named "COLOUR". */
const colourNow: Metaproperty = { id: 'ID-NOW', name: 'COLOUR', label: 'Colour', type: 'text' };
/** What install A saw earlier: another "Colour", since deleted in Bynder, which took the name `colour`. */
const colourBefore = { id: 'ID-BEFORE', name: 'Colour' };

/** An install's own kvStore, as `storage.kvStore` is one per install on OCP. */
const kvStoreOfOneInstall = (): KVStore => new LocalKVStore(new LocalAsyncStoreBackend());

describe('two installs on one portal in one process', () => {
  it('get their own field models: each install keeps the field names it pinned', async () => {
    const clock = fakeClock(1_000_000_000);
    const api = { listMetaproperties: async () => ({ metaproperties: [colourNow], skipped: [] }) } as Pick<
      BynderApi,
      'listMetaproperties'
    > as BynderApi;
    const config = { portalUrl: PORTAL, primaryKey: { kind: 'asset_id' } } as AppConfig;
    const storeA = kvStoreOfOneInstall();
    const storeB = kvStoreOfOneInstall();
    await invalidateFieldModel(storeA);
    // Install A pinned `colour` to the deleted metaproperty, so today's one gets another name there.
    await pinFieldNames(storeA, PORTAL, [colourBefore], STANDARD_FIELD_NAMES);

    const deps = { config, api, logger: silentLogger, clock };
    const modelA = await getFieldModel({ ...deps, kvStore: storeA, install: 'tracker-a/1' });
    const modelB = await getFieldModel({ ...deps, kvStore: storeB, install: 'tracker-b/2' });
    const nameOfColour = (model: typeof modelA) =>
      model.fields.find((f) => f.target.kind === 'metaproperty' && f.target.id === colourNow.id)?.name;

    expect(nameOfColour(modelA)).toMatch(/^colour_[0-9a-f]{6}$/);
    expect(nameOfColour(modelB)).toBe('colour');
    // And again, now that both models are kept in memory: neither answers with the other's.
    expect(nameOfColour(await getFieldModel({ ...deps, kvStore: storeA, install: 'tracker-a/1' }))).toBe(
      nameOfColour(modelA),
    );
    expect(nameOfColour(await getFieldModel({ ...deps, kvStore: storeB, install: 'tracker-b/2' }))).toBe(
      'colour',
    );
  });

  it('do not share an issued OAuth token, even with the same client credentials', async () => {
    const clock = fakeClock();
    const credentials = { kind: 'oauth_client_credentials', clientId: 'id', clientSecret: 'secret' } as const;
    let issued = 0;
    const requestToken = async (): Promise<IssuedToken> => {
      issued += 1;
      return { accessToken: `token-${issued}`, expiresInSeconds: 3600 };
    };
    const forInstall = (install: string) =>
      createAccessTokenSource(credentials, requestToken, clock, PORTAL, install);

    expect(await forInstall('tracker-a/1').get()).toBe('token-1');
    expect(await forInstall('tracker-b/2').get()).toBe('token-2');
    // Each install reuses its own token across clients (one per batch), as before.
    expect(await forInstall('tracker-a/1').get()).toBe('token-1');
    expect(await forInstall('tracker-b/2').get()).toBe('token-2');
    expect(issued).toBe(2);
  });
});
