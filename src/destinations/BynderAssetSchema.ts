import type { DestinationSchema } from '@zaiusinc/app-sdk';
import { DestinationSchemaFunction } from '@zaiusinc/app-sdk';

import { loadConfig } from '../lib/config';
import { createPacedClient } from '../lib/pacing/paced-client';
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
      // Listing metaproperties is one request per option page: paced with deliver()'s budget.
      const { api } = createPacedClient(config, deps);
      const model = await getFieldModel({ ...deps, config, api });
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
