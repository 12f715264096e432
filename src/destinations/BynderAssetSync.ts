import type { DestinationBatch, DestinationDeliverResult, DestinationReadyResult } from '@zaiusinc/app-sdk';
import { Destination } from '@zaiusinc/app-sdk';

import { BynderClient } from '../lib/bynder/BynderClient';
import { ConfigError, loadConfig } from '../lib/config';
import type { AssetItem } from '../lib/delivery/asset-item';
import { resolverFor } from '../lib/delivery/asset-resolver';
import { createTrafficCounter, reportBatch } from '../lib/delivery/batch-report';
import { executePlan } from '../lib/delivery/execute';
import { readLedger } from '../lib/delivery/ledger';
import { describeError, failureFromError } from '../lib/delivery/outcome';
import { pausedByRateLimit, readRateLimitBlock } from '../lib/delivery/rate-limit-block';
import { checkReadiness } from '../lib/delivery/readiness';
import { recordOutcome } from '../lib/delivery/record-outcome';
import { createRequestBudget } from '../lib/delivery/request-budget';
import { planWithCurrentModel } from '../lib/delivery/schema-drift';
import { getFieldModel } from '../lib/fields/get-field-model';
import type { Clock } from '../lib/runtime-ports';
import { checkConnection, secretsOf } from '../lib/settings/check-connection';
import { type SdkDeps, sdkDeps } from './sdk-deps';

export type { AssetItem } from '../lib/delivery/asset-item';

/** OCP's entry point for batches; each step lives in src/lib/delivery (see docs/delivery.md). */
export class BynderAssetSync extends Destination<AssetItem> {
  /**
   * Tests and the local runner may move time (e.g. past a rate-limit block). OCP constructs this
   * class with no arguments and never sets it, so production runs on the system clock.
   */
  public static clockOverride: Clock | undefined;

  public async ready(): Promise<DestinationReadyResult> {
    const deps = runtimeDeps();
    try {
      const config = await loadConfig(deps);
      return await checkReadiness(config, {
        ...deps,
        testConnection: () => checkConnection(config, deps.logger),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) deps.logger.error('Bynder readiness check failed:', error);
      return { ready: false, message: describeError(error) };
    }
  }

  public async deliver(batch: DestinationBatch<AssetItem>): Promise<DestinationDeliverResult> {
    const deps = runtimeDeps();
    const { kvStore, clock, logger } = deps;
    const traffic = createTrafficCounter();
    const report = { syncName: batch.sync.name, attempt: batch.attempt, startedAt: clock.now(), traffic };
    let secrets: string[] = [];
    try {
      if (batch.items.length === 0) return { success: true };
      const config = await loadConfig(deps);
      secrets = secretsOf(config.credentials);
      const block = await readRateLimitBlock(kvStore, clock);
      if (block) return reportBatch(deps, report, pausedByRateLimit(batch.items.length, block));

      const { portalUrl, credentials, requestsPerSecond } = config;
      const budget = createRequestBudget({ requestsPerSecond, clock, shareKey: portalUrl });
      const api = new BynderClient({
        portalUrl,
        credentials,
        logger,
        clock,
        beforeRequest: budget.acquire,
        onResponse: traffic.record,
      });
      const ledger = await readLedger(kvStore, batch);
      const modelDeps = { ...deps, config, api };
      const refreshModel = () => getFieldModel(modelDeps, { forceRefresh: true });
      const plan = await planWithCurrentModel(
        batch.items,
        await getFieldModel(modelDeps),
        config,
        ledger.applied,
        { ...deps, refreshModel },
      );
      const resolver = await resolverFor(plan.model, { api, kvStore }, plan.writes.length > 0);
      const execution = await executePlan(plan.writes, {
        ...deps,
        maxInFlight: config.maxInFlight,
        deletePolicy: config.deletePolicy,
        api,
        resolver,
        budget,
        connection: config,
      });
      const settlements = [...plan.rejected, ...plan.settled, ...execution.settlements];
      await recordOutcome(settlements, {
        ...deps,
        ledger,
        resolver,
        appliedHashes: execution.appliedHashes,
        syncName: batch.sync.name,
      });
      return reportBatch(
        deps,
        { ...report, droppedFields: plan.unknownFields },
        { settlements, stop: execution.stop },
      );
    } catch (error) {
      logger.error(
        `Bynder delivery for sync "${batch.sync.name}" attempt ${batch.attempt} failed before its records were settled:`,
        error,
      );
      return failureFromError(error, secrets);
    }
  }
}

function runtimeDeps(): SdkDeps {
  const deps = sdkDeps();
  return BynderAssetSync.clockOverride ? { ...deps, clock: BynderAssetSync.clockOverride } : deps;
}
