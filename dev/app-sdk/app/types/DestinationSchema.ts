// The field list a destination offers in the Sync Manager. Types are the SDK's primitives
// (string, boolean, int, float, long), a custom type's name, or either in brackets for an array.

export interface DestinationSchemaField {
  name: string;
  display_name: string;
  description: string;
  type: string;
  primary?: boolean;
  format?: 'url';
}

export interface DestinationSchemaCustomType {
  name: string;
  display_name: string;
  description: string;
  fields: DestinationSchemaField[];
}

export interface DestinationSchema {
  name: string;
  description: string;
  display_name: string;
  fields: DestinationSchemaField[];
  custom_types?: DestinationSchemaCustomType[];
}
