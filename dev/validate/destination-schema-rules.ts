import type { Shape } from './json-shape';
import { checkShape, formatShapeError } from './json-shape';

// Contract 2.6 and 5.7: a DestinationSchema's shape (the SDK's JSON schema) and its semantic rules.
// Used for static schema files and, by tests, for what getDestinationsSchema() returns (the SDK
// never checks dynamic schemas; the platform would reject what these rules reject).

const SCHEMA_NAME_FORMAT = /^[a-z][a-z0-9_]{1,61}$/;
const PRIMITIVE_TYPES = ['string', 'boolean', 'int', 'float', 'long'];
const TYPE_PATTERN = /^(string|integer|boolean|decimal|\w+|\[\w+\])$/;

const text: Shape = { type: 'string' };
const fieldShape: Shape = {
  type: 'object',
  required: ['name', 'display_name', 'description', 'type'],
  properties: {
    name: text,
    display_name: text,
    description: text,
    type: { type: 'string', pattern: TYPE_PATTERN },
    primary: { type: 'boolean' },
    format: { type: 'string', const: 'url' },
  },
};
const fieldsShape: Shape = { type: 'array', items: fieldShape };

const DESTINATION_SCHEMA_SHAPE: Shape = {
  type: 'object',
  required: ['name', 'description', 'display_name', 'fields'],
  properties: {
    name: text,
    description: text,
    display_name: text,
    fields: fieldsShape,
    custom_types: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'display_name', 'description', 'fields'],
        properties: { name: text, display_name: text, description: text, fields: fieldsShape },
      },
    },
  },
};

interface NamedThing {
  name?: string;
  display_name?: string;
  description?: string;
}
interface FieldLike extends NamedThing {
  type: string;
  primary?: boolean;
}
interface SchemaLike extends NamedThing {
  fields: FieldLike[];
  custom_types?: Array<NamedThing & { fields: FieldLike[] }>;
}

const isBlank = (value: string | undefined) => !value || value.trim().length === 0;

function nameProblems(ref: string, name: string | undefined): string[] {
  if (isBlank(name)) return [`${ref}.name must be specified`];
  if (!SCHEMA_NAME_FORMAT.test(name ?? '')) {
    return [
      `${ref}.name must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 2 and 64 characters long (${SCHEMA_NAME_FORMAT})`,
    ];
  }
  return [];
}

function describedThingProblems(ref: string, thing: NamedThing): string[] {
  const problems = nameProblems(ref, thing.name);
  if (isBlank(thing.display_name)) problems.push(`${ref}.display_name must be specified`);
  if (isBlank(thing.description)) problems.push(`${ref}.description must be specified`);
  return problems;
}

function typeProblems(ref: string, type: string, customTypeNames: Set<string>): string[] {
  const known = (word: string) => PRIMITIVE_TYPES.includes(word) || customTypeNames.has(word);
  const array = /^\[(\w+)\]$/.exec(type);
  if (array) {
    return known(array[1] ?? '')
      ? []
      : [`${ref}.type '${type}' array type does not match any custom_types name`];
  }
  return known(type) ? [] : [`${ref}.type '${type}' does not match any custom_types name`];
}

/** The JSON-schema part alone: missing or unknown keys, wrong types, bad type syntax or format. */
export function destinationSchemaShapeErrors(schema: unknown, label: string): string[] {
  return checkShape(schema, DESTINATION_SCHEMA_SHAPE).map((error) => formatShapeError(label, error));
}

/**
 * Every problem with `schema` as a DestinationSchema, each as `Invalid <label>: ...`. Shape errors
 * (missing or unknown keys, wrong types) come alone, as in the SDK, which runs the semantic rules
 * only on files that pass the JSON schema. The file-name rule is the caller's (static files only).
 */
export function validateDestinationSchema(schema: unknown, label: string): string[] {
  const shapeErrors = destinationSchemaShapeErrors(schema, label);
  if (shapeErrors.length > 0) return shapeErrors;
  const typed = schema as SchemaLike;
  const customTypes = typed.custom_types ?? [];
  const customTypeNames = new Set(customTypes.map((customType) => customType.name ?? ''));
  const problems: string[] = [];

  if (isBlank(typed.name)) problems.push('name must be specified');
  else if (!SCHEMA_NAME_FORMAT.test(typed.name ?? '')) {
    problems.push(
      `name must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 2 and 64 characters long (${SCHEMA_NAME_FORMAT})`,
    );
  }
  if (isBlank(typed.display_name)) problems.push('display_name must be specified');

  const fieldProblems = (ref: string, field: FieldLike) => [
    ...describedThingProblems(ref, field),
    ...typeProblems(ref, field.type, customTypeNames),
  ];
  typed.fields.forEach((field, i) => problems.push(...fieldProblems(`fields[${i}]`, field)));
  if (!typed.fields.some((field) => field.primary === true)) {
    problems.push('fields must contain one primary key');
  }
  customTypes.forEach((customType, k) => {
    problems.push(...describedThingProblems(`custom_types[${k}]`, customType));
    customType.fields.forEach((field, j) =>
      problems.push(...fieldProblems(`custom_types[${k}].fields[${j}]`, field)),
    );
  });
  return problems.map((problem) => `Invalid ${label}: ${problem}`);
}
