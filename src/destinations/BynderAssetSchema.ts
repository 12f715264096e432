import type { DestinationSchema } from '@zaiusinc/app-sdk';
import { DestinationSchemaFunction } from '@zaiusinc/app-sdk';

import { BynderClient } from '../lib/bynder/BynderClient';
import { loadConfig } from '../lib/config';
import { createRequestBudget } from '../lib/delivery/request-budget';
import { toDestinationSchema } from '../lib/fields/destination-schema';
import { getFieldModel } from '../lib/fields/get-field-model';
import { sdkDeps } from './sdk-deps';

/**
 * The Sync Manager's field list: the live portal's field model (cached, see getFieldModel) as a
 * DestinationSchema. Failures are thrown: OCP shows the message, which says what to fix
 * (ConfigError: settings; MetapropertiesUnavailableError: Bynder unreachable or credentials).
 */
export class BynderAssetSchema extends DestinationSchemaFunction {
  public async getDestinationsSchema(): Promise<DestinationSchema> {
    const deps = sdkDeps();
    try {
      const config = await loadConfig(deps);
      const { portalUrl, credentials, requestsPerSecond } = config;
      // Listing metaproperties is one request per option page: paced with deliver()'s budget.
      const budget = createRequestBudget({ requestsPerSecond, clock: deps.clock, shareKey: portalUrl });
      const api = new BynderClient({
        portalUrl,
        credentials,
        logger: deps.logger,
        clock: deps.clock,
        beforeRequest: budget.acquire,
      });
      const model = await getFieldModel({
        config,
        api,
        kvStore: deps.kvStore,
        logger: deps.logger,
        clock: deps.clock,
      });
      return toDestinationSchema(model, this.config.destinationKey);
    } catch (error) {
      // Messages from config and the client never carry secrets (both redact).
      deps.logger.error(
        `Field list for ${this.config.destinationKey} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }
}
