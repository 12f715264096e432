import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Media } from '../../src/lib/bynder/api-types';
import type { BynderApi, MediaForm } from '../../src/lib/bynder/bynder-api';
import {
  BynderApiError,
  BynderAuthError,
  BynderNotFoundError,
  BynderRateLimitError,
  BynderUnavailableError,
} from '../../src/lib/bynder/errors';
import { assetIdResolver, externalKeyResolver } from '../../src/lib/delivery/asset-resolver';
import { loadKeyCache, saveKeyCache } from '../../src/lib/delivery/key-cache';
import type { ExecuteDeps } from '../../src/lib/delivery/execute';
import { executePlan, MAX_CONSECUTIVE_UNAVAILABLE } from '../../src/lib/delivery/execute';
import type { PlannedWrite } from '../../src/lib/delivery/plan';
import { createInstallBudget } from '../../src/lib/pacing/install-budget';
import { reasonOf } from '../../src/lib/delivery/outcome';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// executePlan over an in-memory Bynder (a BynderApi whose answers each test scripts): which
// failures settle what, and which stop the batch. Outcomes and stored rows are asserted, not calls.

type Answer = 'ok' | Error;
class ScriptedBynder implements BynderApi {
  public readonly sent: string[] = [];
  public readonly answers = new Map<string, Answer[]>();
  public readonly byExternalKey = new Map<string, string[]>();
  /** Asset id → its `sku` value, for the bulk read that re-checks cached ids. */
  public readonly stored = new Map<string, string>();
  public async listMetaproperties() {
    return { metaproperties: [], skipped: [] };
  }
  public async getMedia(id: string): Promise<Media> {
    return { id };
  }
  public async findMediaByProperty(_metaproperty: string, value: string): Promise<Media[]> {
    this.sent.push(`find ${value}`);
    return (this.byExternalKey.get(value) ?? []).map((id) => ({ id, property_sku: value }));
  }
  public async listMediaByIds(ids: readonly string[]): Promise<Media[]> {
    this.sent.push(`read ${ids.join(',')}`);
    return ids.flatMap((id) => {
      const sku = this.stored.get(id);
      return sku === undefined ? [] : [{ id, property_sku: sku }];
    });
  }
  public async updateMedia(id: string, form: MediaForm): Promise<void> {
    this.sent.push(`update ${id} ${new URLSearchParams(form).toString()}`);
    this.answer(id);
  }
  public async deleteMedia(id: string): Promise<void> {
    this.sent.push(`delete ${id}`);
    this.answer(id);
  }
  public async testConnection(): Promise<void> {
    await Promise.resolve();
  }
  public changeMediaOptions(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  public createMetapropertyOption(): Promise<{ kind: 'created'; id: string }> {
    return Promise.reject(new Error('not used'));
  }
  private answer(id: string): void {
    const next = this.answers.get(id)?.shift() ?? 'ok';
    if (next !== 'ok') throw next;
  }
}

const clock = fakeClock(1_700_000_000_000);
const upsert = (key: string, i: number): PlannedWrite => ({
  kind: 'upsert',
  key,
  subject: `asset_id "${key}"`,
  records: [i],
  form: { description: `d ${key}` },
});
const del = (key: string, i: number, deleteBy: 'archive' | 'delete' = 'archive'): PlannedWrite => ({
  ...upsert(key, i),
  kind: 'delete',
  form: {},
  deleteBy,
});
const ROUTE = 'POST /api/v4/media/{id}/';

function deps(api: BynderApi, overrides: Partial<ExecuteDeps> = {}): ExecuteDeps {
  return {
    api,
    resolver: assetIdResolver,
    budget: createInstallBudget({ requestsPerSecond: 1_000, clock, kvStore: storage.kvStore }),
    kvStore: storage.kvStore,
    clock,
    logger: silentLogger,
    maxInFlight: 1,
    connection: {
      portalUrl: 'https://acme.bynder.com',
      credentials: { kind: 'permanent_token', token: 'execute-token-7a2d9e4c' },
    },
    ...overrides,
  };
}
const statuses = (execution: Awaited<ReturnType<typeof executePlan>>) =>
  execution.outcomes.map((s) => `${s.key}:${s.status}${s.status === 'pending' ? `(${s.cause})` : ''}`);

beforeEach(() => {
  resetLocalStores();
});

describe('executePlan', () => {
  it('applies each write with one request and reports the writes it applied', async () => {
    const api = new ScriptedBynder();
    const execution = await executePlan([upsert('A', 0), del('B', 1)], deps(api));
    expect(statuses(execution)).toEqual(['A:applied', 'B:applied']);
    expect(api.sent).toEqual(['update A description=d+A', 'update B archive=true']);
    expect(execution.applied.map((write) => write.key)).toEqual(['A', 'B']);
    expect(execution.stop).toBeUndefined();
  });

  it('rejects an upsert of a missing asset, and counts a delete of one as applied', async () => {
    const api = new ScriptedBynder();
    api.answers.set('A', [new BynderNotFoundError(404, ROUTE, 'Media not found')]);
    api.answers.set('B', [new BynderNotFoundError(404, ROUTE, 'Media not found')]);
    const execution = await executePlan([upsert('A', 0), del('B', 1, 'delete')], deps(api));
    expect(execution.outcomes[0]).toMatchObject({
      status: 'rejected',
      problems: [{ problem: 'asset not found in Bynder; this destination updates existing assets only' }],
    });
    expect(execution.outcomes[1]).toMatchObject({ status: 'applied' });
    expect(api.sent).toEqual(['update A description=d+A', 'delete B']);
  });

  it('rejects a write Bynder refuses with another 4xx, and carries on', async () => {
    const api = new ScriptedBynder();
    api.answers.set('A', [new BynderApiError(400, ROUTE, 'Invalid metaproperty ID')]);
    const execution = await executePlan([upsert('A', 0), upsert('B', 1)], deps(api));
    expect(execution.outcomes[0]).toMatchObject({ status: 'rejected' });
    const [first] = execution.outcomes;
    expect(first?.status === 'rejected' && reasonOf(first)).toContain('Invalid metaproperty ID');
    expect(statuses(execution)[1]).toBe('B:applied');
  });

  it('stops at a 429: nothing more is sent, the rest is pending, the stop says until when', async () => {
    const api = new ScriptedBynder();
    api.answers.set('B', [new BynderRateLimitError(429, ROUTE, 'Too Many Requests')]);
    const execution = await executePlan(['A', 'B', 'C', 'D'].map(upsert), deps(api));
    expect(statuses(execution)).toEqual([
      'A:applied',
      'B:pending(rate limited by Bynder)',
      'C:pending(not sent: Bynder rate-limit block)',
      'D:pending(not sent: Bynder rate-limit block)',
    ]);
    expect(api.sent).toHaveLength(2);
    expect(execution.stop).toMatchObject({ retryable: true });
    // Storing the block is the client's rate-limit guard's (test/integration/rate-limit-block.test.ts).
    expect(execution.stop?.message).toContain('paused until');
  });

  it('stops at a 401 without retry and leaves the rest pending, not rejected', async () => {
    const api = new ScriptedBynder();
    api.answers.set('A', [new BynderAuthError(401, ROUTE, 'Unauthorized')]);
    const execution = await executePlan(['A', 'B'].map(upsert), deps(api));
    expect(statuses(execution)).toEqual([
      'A:pending(not sent: credentials refused)',
      'B:pending(not sent: credentials refused)',
    ]);
    expect(execution.stop?.retryable).toBe(false);
    expect(execution.stop?.message).toContain('refused the permanent token');
    expect(api.sent).toHaveLength(1);
  });

  it(`stops after ${MAX_CONSECUTIVE_UNAVAILABLE} unavailable writes in a row, and a success resets the count`, async () => {
    const api = new ScriptedBynder();
    const down = () => new BynderUnavailableError(ROUTE, 'answered 503', 503);
    const keys = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
    for (const key of keys) if (key !== 'C') api.answers.set(key, [down()]);
    const execution = await executePlan(keys.map(upsert), deps(api));
    // A, B fail; C succeeds; D..H are the five in a row; I and J are not sent.
    expect(statuses(execution)).toEqual([
      'A:pending(Bynder unavailable)',
      'B:pending(Bynder unavailable)',
      'C:applied',
      ...['D', 'E', 'F', 'G', 'H'].map((k) => `${k}:pending(Bynder unavailable)`),
      'I:pending(not sent: Bynder unavailable)',
      'J:pending(not sent: Bynder unavailable)',
    ]);
    expect(api.sent).toHaveLength(8);
    expect(execution.stop?.retryable).toBe(true);
  });

  it('looks an external key up again when its cached asset is gone', async () => {
    const api = new ScriptedBynder();
    await storage.kvStore.put(KV_ROWS.externalKeys.key, {
      metaproperty: 'sku',
      keys: ['SKU-1'],
      ids: ['OLD'],
    });
    api.byExternalKey.set('SKU-1', ['NEW']);
    // Still holding the key when re-checked, gone by the time it is written.
    api.stored.set('OLD', 'SKU-1');
    api.answers.set('OLD', [new BynderNotFoundError(404, ROUTE, 'Media not found')]);
    const cache = await loadKeyCache(storage.kvStore, 'sku');
    const execution = await executePlan(
      [upsert('SKU-1', 0)],
      deps(api, { resolver: externalKeyResolver(api, cache, ['SKU-1']) }),
    );
    expect(statuses(execution)).toEqual(['SKU-1:applied']);
    expect(api.sent).toEqual([
      'read OLD',
      'update OLD description=d+SKU-1',
      'find SKU-1',
      'update NEW description=d+SKU-1',
    ]);
    await saveKeyCache(storage.kvStore, cache);
    expect(await storage.kvStore.get(KV_ROWS.externalKeys.key)).toMatchObject({
      keys: ['SKU-1'],
      ids: ['NEW'],
    });
  });

  it('rejects an ambiguous external key and treats a delete of an unknown one as done', async () => {
    const api = new ScriptedBynder();
    api.byExternalKey.set('TWICE', ['X', 'Y']);
    const resolver = externalKeyResolver(api, await loadKeyCache(storage.kvStore, 'sku'), [
      'TWICE',
      'NOWHERE',
    ]);
    const execution = await executePlan([upsert('TWICE', 0), del('NOWHERE', 1)], deps(api, { resolver }));
    expect(execution.outcomes[0]).toMatchObject({
      status: 'rejected',
      problems: [{ problem: expect.stringContaining('several assets have sku = "TWICE"') }],
    });
    expect(execution.outcomes[1]).toMatchObject({ status: 'applied' });
    expect(api.sent).toEqual(['find TWICE', 'find NOWHERE']);
  });
});
