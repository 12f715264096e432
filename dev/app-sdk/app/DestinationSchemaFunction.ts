import type { DestinationSchema } from './types/DestinationSchema';

export interface DestinationSchemaFunctionConfig {
  /** The destination's key under `destinations:` in app.yml. */
  destinationKey: string;
}

/** Builds a destination's field list at run time. The platform constructs it with `{destinationKey}`. */
export abstract class DestinationSchemaFunction {
  protected readonly config: DestinationSchemaFunctionConfig;

  public constructor(config: DestinationSchemaFunctionConfig) {
    this.config = config;
  }

  public abstract getDestinationsSchema(): Promise<DestinationSchema>;
}
