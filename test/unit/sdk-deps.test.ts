import { type AppContext, setContext } from '@zaiusinc/app-sdk';
import { afterEach, describe, expect, it } from 'vitest';

import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { devOverrides, sdkDeps } from '../../src/destinations/sdk-deps';
import { type Random, systemClock, systemRandom } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';

// What every entry point (destination, schema function, job, lifecycle) hands src/lib: sdkDeps().

afterEach(() => {
  BynderAssetSync.clockOverride = undefined;
  BynderAssetSync.timeBudgetMsOverride = undefined;
});

describe('sdkDeps', () => {
  it("names the install from the SDK's app context, and one install outside OCP", () => {
    expect(sdkDeps().install).toBe('');
    setContext({ trackerId: 'tracker-a', installId: 1 } as AppContext);
    expect(sdkDeps().install).toBe('tracker-a/1');
  });

  it('runs on the system clock and the default time budget unless a test or the runner overrides them', () => {
    expect(sdkDeps().clock).toBe(systemClock);
    expect(sdkDeps().timeBudgetMs).toBeUndefined();
    const clock = fakeClock();
    BynderAssetSync.clockOverride = clock;
    BynderAssetSync.timeBudgetMsOverride = 5_000;
    expect(sdkDeps().clock).toBe(clock);
    expect(sdkDeps().timeBudgetMs).toBe(5_000);
  });

  it('draws chance from the system unless a test or the runner fixes it', () => {
    expect(sdkDeps().random).toBe(systemRandom);
    const fixed: Random = { fraction: () => 0, id: () => 'id-1' };
    devOverrides.random = fixed;
    try {
      expect(sdkDeps().random).toBe(fixed);
    } finally {
      devOverrides.random = undefined;
    }
  });
});
