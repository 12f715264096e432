import { BynderAssetSchema } from '../../../../src/destinations/BynderAssetSchema';

/** The destination key in app.yml; OCP passes it to the schema function, which uses it as the schema's name. */
export const DESTINATION_KEY = 'bynder_assets';

/** The part of a destination schema field the runner uses (from the app's schema function). */
export interface DestinationField {
  name: string;
  display_name: string;
  type: string;
  primary?: boolean;
}

/** The fields the Sync Manager would offer for mapping: the app's own schema function, live. */
export async function loadDestinationFields(): Promise<DestinationField[]> {
  const schema = await new BynderAssetSchema({ destinationKey: DESTINATION_KEY }).getDestinationsSchema();
  if (schema.fields.length === 0) {
    throw new Error('the app offers no destination fields; check the portal has metaproperties');
  }
  return schema.fields;
}
