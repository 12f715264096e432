import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { claimOption, optionClaimKey, settleOptionClaim } from '../../src/lib/state/option-claims';
import { storedBytes } from '../../src/lib/state/state-row';
import { fakeClock } from '../helpers/fake-clock';

// The option claims row is bounded in bytes: with long option names it holds fewer claims than its
// count bound, and a new claim must still be taken (the oldest dropped to fit), never refused as if
// another invocation held it.

beforeEach(() => resetLocalStores());

const longName = (n: number) => `option ${n} `.padEnd(255, 'x');
/** Ids and owners as long as Bynder's and the app's (36 characters). */
const id36 = (prefix: string, n: number) => `${prefix}-${n}-`.padEnd(36, '0');

describe('option claims within the row’s byte budget', () => {
  it('takes a new claim when the row is full of long names, dropping the oldest settled ones', async () => {
    const clock = fakeClock();
    for (let n = 0; n < 300; n += 1) {
      const key = optionClaimKey(id36('MP', n % 40), longName(n));
      const owner = id36('owner', n);
      expect(await claimOption(storage.kvStore, clock, key, owner)).toEqual({ kind: 'mine' });
      await settleOptionClaim(storage.kvStore, clock, key, owner, id36('ID', n));
      clock.advance(10);
    }
    const row = await storage.kvStore.get(KV_ROWS.optionClaims.key);
    expect(storedBytes(row)).toBeLessThanOrEqual(KV_ROWS.optionClaims.byteBudget);
    const claims = row.claims as Record<string, { id?: string }>;
    expect(claims[optionClaimKey(id36('MP', 19), longName(299))]?.id).toBe(id36('ID', 299));
  });
});
