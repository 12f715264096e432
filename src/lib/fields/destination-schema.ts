import type { FieldModel } from './field';

// The field model as OCP's DestinationSchema. src/lib is SDK-free, so these are structural copies
// of the SDK's DestinationSchema / DestinationSchemaField (@zaiusinc/app-sdk, src/app/types/DestinationSchema.ts): an object
// of this type is assignable to the SDK's.

export interface DestinationSchemaField {
  name: string;
  display_name: string;
  description: string;
  type: string;
  primary?: boolean;
}

export interface DestinationSchema {
  name: string;
  display_name: string;
  description: string;
  fields: DestinationSchemaField[];
}

export const DESTINATION_DISPLAY_NAME = 'Bynder Assets';

export function toDestinationSchema(model: FieldModel, destinationKey: string): DestinationSchema {
  return {
    name: destinationKey,
    display_name: DESTINATION_DISPLAY_NAME,
    description:
      "Updates existing Bynder assets: their standard properties and the portal's editable metaproperties. " +
      `Match assets by ${model.primary.displayName} (${model.primary.name}).`,
    fields: model.fields.map((field) => ({
      name: field.name,
      display_name: field.displayName,
      description: field.description,
      type: field.type,
      ...(field.primary ? { primary: true } : {}),
    })),
  };
}
