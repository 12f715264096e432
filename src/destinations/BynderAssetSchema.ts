import type { DestinationSchema } from '@zaiusinc/app-sdk';
import { DestinationSchemaFunction } from '@zaiusinc/app-sdk';

export class BynderAssetSchema extends DestinationSchemaFunction {
  public async getDestinationsSchema(): Promise<DestinationSchema> {
    throw new Error(`The field list for ${this.config.destinationKey} is not built yet in this version of the app.`);
  }
}
