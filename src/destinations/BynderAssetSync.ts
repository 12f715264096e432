import type { DestinationBatch, DestinationDeliverResult, DestinationReadyResult } from '@zaiusinc/app-sdk';
import { Destination } from '@zaiusinc/app-sdk';

import { describeError } from '../lib/app-error';
import { ConfigError, loadConfig } from '../lib/config';
import type { AssetItem } from '../lib/delivery/asset-item';
import { deliverBatch, failedDelivery } from '../lib/delivery/deliver-batch';
import { checkReadiness } from '../lib/settings/readiness';
import type { Clock } from '../lib/runtime-ports';
import { devOverrides, sdkDeps } from './sdk-deps';

export type { AssetItem } from '../lib/delivery/asset-item';

/** OCP's entry point for batches; every step lives in src/lib/delivery (see docs/delivery.md). */
export class BynderAssetSync extends Destination<AssetItem> {
  /**
   * Tests and the local runner may move time (e.g. past a rate-limit block), for every entry point
   * (devOverrides in sdk-deps.ts). OCP never sets it, so production runs on the system clock.
   */
  public static get clockOverride(): Clock | undefined {
    return devOverrides.clock;
  }
  public static set clockOverride(clock: Clock | undefined) {
    devOverrides.clock = clock;
  }
  /**
   * Tests and the local runner may shorten deliver()'s time budget (ms; default
   * DELIVERY_TIME_BUDGET_MS in src/lib/pacing/deadline.ts). OCP never sets it.
   */
  public static get timeBudgetMsOverride(): number | undefined {
    return devOverrides.timeBudgetMs;
  }
  public static set timeBudgetMsOverride(ms: number | undefined) {
    devOverrides.timeBudgetMs = ms;
  }

  public async ready(): Promise<DestinationReadyResult> {
    const deps = sdkDeps();
    try {
      return await checkReadiness(await loadConfig(deps), deps);
    } catch (error) {
      if (!(error instanceof ConfigError)) deps.logger.error('Bynder readiness check failed:', error);
      return { ready: false, message: describeError(error) };
    }
  }

  public async deliver(batch: DestinationBatch<AssetItem>): Promise<DestinationDeliverResult> {
    const deps = sdkDeps();
    return deliverBatch(batch, deps).catch((error: unknown) => failedDelivery(error, batch, deps));
  }
}
