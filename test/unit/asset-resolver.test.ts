import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Media } from '../../src/lib/bynder/api-types';
import type { BynderApi } from '../../src/lib/bynder/bynder-api';
import { externalKeyResolver } from '../../src/lib/delivery/asset-resolver';
import { loadKeyCache } from '../../src/lib/delivery/key-cache';

// A portal whose text filter is ignored AND whose paging is ignored: every lookup answers the same
// full page. The lookup must notice, stop, and refuse to guess.

const samePage: Media[] = Array.from({ length: 100 }, (_, i) => ({
  id: `ID-${i}`,
  property_sku: `OTHER-${i}`,
}));
const pages: number[] = [];
const api: BynderApi = {
  listMetaproperties: () => Promise.resolve({ metaproperties: [], skipped: [] }),
  getMedia: (id) => Promise.resolve({ id }),
  findMediaByProperty: (_name, _value, limit = 2, page = 1) => {
    pages.push(page);
    return Promise.resolve(samePage.slice(0, limit));
  },
  listMediaByIds: () => Promise.resolve([]),
  updateMedia: () => Promise.resolve(),
  deleteMedia: () => Promise.resolve(),
  testConnection: () => Promise.resolve(),
  changeMediaOptions: () => Promise.reject(new Error('not used')),
  createMetapropertyOption: () => Promise.reject(new Error('not used')),
};

beforeEach(() => {
  resetLocalStores();
  pages.length = 0;
});

describe('external-key lookup on a portal that ignores paging', () => {
  it('stops at the first repeated page and rejects the key as unconfirmed', async () => {
    const resolver = externalKeyResolver(api, await loadKeyCache(storage.kvStore, 'sku'), ['SKU-1']);
    const resolution = await resolver.resolve('SKU-1');
    expect(resolution).toMatchObject({ kind: 'ambiguous' });
    expect(resolution.kind !== 'found' && resolution.reason).toContain('repeats page 1 as page 2');
    expect(pages).toEqual([1, 1, 2]);
  });
});
