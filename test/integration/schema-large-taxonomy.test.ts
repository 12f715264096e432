import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import {
  withProductCodes,
  productCodeName,
  productCodeOptionId,
} from '../../dev/bynder-emulator/product-codes';
import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { parseConfig } from '../../src/lib/config';
import { getFieldModel, invalidateFieldModel } from '../../src/lib/fields/get-field-model';
import { readMetapropertyHead } from '../../src/lib/fields/metaproperty-cache';
import type { KeyValueStore } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';
import { useEmulator } from '../helpers/use-emulator';
import { portalOf } from '../helpers/portal-origin';

// A taxonomy too large for one kvStore row, end to end with the real client and the SDK's kvStore:
// paged from the options endpoint, cached over several shard rows, and read back by a process that
// has no model in memory, with no request to Bynder. 8,000 options keep it quick; the bench measures
// 100,000 (npm run bench -- --field-list).

const OPTIONS = 8_000;
const emulator = useEmulator({ seed: withProductCodes({ metaproperties: {}, assets: [] }, OPTIONS) });

function deps(install: string) {
  const config = parseConfig({
    connection: { portal: emulator.url },
    secrets: { token: emulator.token },
    records: {},
    throughput: {},
  });
  const clock = fakeClock(Date.UTC(2026, 2, 1));
  const api = new BynderClient({
    portalUrl: portalOf(emulator.url),
    credentials: { kind: 'permanent_token', token: emulator.token },
    logger: silentLogger,
    clock,
    retries: 0,
  });
  return { config, api, kvStore: storage.kvStore as KeyValueStore, logger: silentLogger, clock, install };
}

beforeEach(async () => {
  resetLocalStores();
  await invalidateFieldModel(storage.kvStore);
  emulator.clearRequests();
});

describe('a large taxonomy against the emulator', () => {
  it('is paged, cached over several shard rows, and read back by another process without a request', async () => {
    const cold = await getFieldModel(deps('first-process'));
    expect(emulator.requests('GET /api/v4/metaproperties/:id/options/').length).toBeGreaterThanOrEqual(8);
    const copy = await readMetapropertyHead(storage.kvStore, deps('x').config.portalUrl, silentLogger);
    expect(copy?.shards).toBeGreaterThan(1);
    emulator.clearRequests();

    const warm = await getFieldModel(deps('second-process'));
    expect(emulator.requests()).toHaveLength(0);
    expect(warm).not.toBe(cold); // built again from the shards, not taken from memory
    const policy = { emptyValues: 'leave', unknownOptions: 'reject' } as const;
    for (const model of [cold, warm]) {
      const field = model.byName.get('product_code');
      expect(field?.toWrite(productCodeName(OPTIONS - 1), policy)).toMatchObject({
        kind: 'set',
        formValue: productCodeOptionId(OPTIONS - 1),
      });
    }
  });
});
