import type { DestinationBatch, DestinationDeliverResult, DestinationReadyResult } from '@zaiusinc/app-sdk';
import { Destination } from '@zaiusinc/app-sdk';

import { ConfigError, loadConfig, secretsOf } from '../lib/config';
import type { AssetItem } from '../lib/delivery/asset-item';
import { resolverFor } from '../lib/delivery/asset-resolver';
import { createTrafficCounter, reportBatch } from '../lib/delivery/batch-report';
import { executePlan } from '../lib/delivery/execute';
import { readLedger } from '../lib/delivery/ledger';
import { describeError, failureFromError } from '../lib/delivery/outcome';
import { createPacedClient } from '../lib/delivery/paced-client';
import { pausedByRateLimit, readRateLimitBlock } from '../lib/delivery/rate-limit-block';
import { checkReadiness } from '../lib/delivery/readiness';
import { recordOutcome } from '../lib/delivery/record-outcome';
import { planWithCurrentModel } from '../lib/delivery/schema-drift';
import { getFieldModel } from '../lib/fields/get-field-model';
import { redactSecrets } from '../lib/redact';
import type { Clock } from '../lib/runtime-ports';
import { checkConnection } from '../lib/settings/check-connection';
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
      // Independent reads go out together: fewer store round trips on every batch, all day long.
      const [config, block] = await Promise.all([loadConfig(deps), readRateLimitBlock(kvStore, clock)]);
      secrets = secretsOf(config.credentials);
      if (block) return reportBatch(deps, report, pausedByRateLimit(batch.items.length, block));

      const { api, budget } = createPacedClient(config, { logger, clock, onResponse: traffic.record });
      const modelDeps = { ...deps, config, api };
      const [ledger, model] = await Promise.all([readLedger(kvStore, batch), getFieldModel(modelDeps)]);
      const refreshModel = () => getFieldModel(modelDeps, { forceRefresh: true });
      const plan = await planWithCurrentModel(batch.items, model, config, ledger.applied, {
        ...deps,
        refreshModel,
      });
      const resolver = await resolverFor(
        plan.model,
        { api, kvStore },
        plan.writes.map((write) => write.key),
      );
      const execution = await executePlan(plan.writes, {
        ...deps,
        api,
        resolver,
        budget,
        maxInFlight: config.maxInFlight,
        deletePolicy: config.deletePolicy,
        connection: config,
      });
      const settlements = [...plan.rejected, ...plan.settled, ...execution.settlements];
      await recordOutcome(settlements, {
        ...deps,
        ledger,
        resolver,
        appliedHashes: () => execution.appliedHashes,
        syncName: batch.sync.name,
      });
      return reportBatch(
        deps,
        { ...report, droppedFields: plan.unknownFields },
        { settlements, stop: execution.stop },
      );
    } catch (error) {
      // Redacted like failureReason, the stack kept for support: the error may wrap anything.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      logger.error(
        `Bynder delivery for sync "${batch.sync.name}" attempt ${batch.attempt} failed before its records were settled: ${redactSecrets(detail, secrets)}`,
      );
      return failureFromError(error, secrets);
    }
  }
}

function runtimeDeps(): SdkDeps {
  const deps = sdkDeps();
  return BynderAssetSync.clockOverride ? { ...deps, clock: BynderAssetSync.clockOverride } : deps;
}
