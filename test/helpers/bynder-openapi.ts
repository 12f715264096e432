import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// Bynder's published OpenAPI descriptions (test/fixtures/bynder-openapi/) as a contract: finds the
// operation a request is for, checks a request against its parameters and form fields, and
// validates an answer against the published response schema, or a schema inferred from the
// published example where the description gives only an example.
//
// Adaptations, each because the harvested OpenAPI 3.1 text is not plain JSON Schema for ajv or
// does not describe Bynder as its own reference does (the fixtures' README.md says why):
// - `example`, `examples`, `description` are annotations: dropped;
// - `nullable: true` (OpenAPI 3.0 spelling) becomes a type that also allows null;
// - `format: "uuid"` is dropped: Bynder's v4 ids are 8-4-4-16 hex, not RFC 4122 UUIDs, and the
//   descriptions' own examples use that form;
// - `$ref` to `#/components/...` is resolved inline;
// - with `closed`, an object with `properties` accepts no other property (so a misspelt field in an
//   answer fails), except those the caller lists as `extras` and `property_<name>` keys on assets;
// - with `booleans: 'either'`, a boolean also accepts 1/0, the spelling Bynder's payloads use.

export const BYNDER_OPENAPI_DIR = path.join(__dirname, '../fixtures/bynder-openapi');

export type JsonSchema = Record<string, unknown>;

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<
    string,
    { content?: Record<string, { schema?: JsonSchema; examples?: Record<string, { value: unknown }> }> }
  >;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, Record<string, JsonSchema>>;
}

/** One published operation: the document it is in, its method and path template. */
export interface PublishedOperation {
  file: string;
  method: string;
  /** As published, e.g. `/api/v4/media/{id}` (some without the trailing slash Bynder's SDKs use). */
  template: string;
  operation: OpenApiOperation;
  document: OpenApiDocument;
}

/** What a request looked like on the wire. */
export interface CapturedRequest {
  method: string;
  /** Path as sent, without the query. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export interface SchemaOptions {
  closed?: boolean;
  /**
   * Properties allowed besides the published ones, by name: their schema (`true`: anything). They
   * apply to the answer's records: the top object, or the items of a top-level array.
   */
  extras?: Record<string, JsonSchema | true>;
  /** Property-name patterns allowed on those records, e.g. `^property_` on assets. */
  patternExtras?: Record<string, JsonSchema | true>;
  booleans?: 'json' | 'either';
}

/** The options for what lies below a record: closed and booleans as before, no extras. */
const recordless = ({ extras: _extras, patternExtras: _patterns, ...rest }: SchemaOptions): SchemaOptions =>
  rest;

const ANNOTATIONS = new Set(['example', 'examples', 'description', 'summary', 'title', 'deprecated']);

function loadDocuments(dir: string): Array<{ file: string; document: OpenApiDocument }> {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      document: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as OpenApiDocument,
    }));
}

const segmentsOf = (value: string): string[] => value.replace(/\/+$/, '').split('/');

/** How many literal segments a template has: a literal match beats a placeholder. */
const literalCount = (template: string): number =>
  segmentsOf(template).filter((segment) => !/^\{.+\}$/.test(segment)).length;

function matchesTemplate(template: string, requestPath: string): boolean {
  const wanted = segmentsOf(template);
  const actual = segmentsOf(requestPath);
  return (
    wanted.length === actual.length &&
    wanted.every((segment, i) => /^\{.+\}$/.test(segment) || segment === actual[i])
  );
}

/** An OpenAPI schema as a JSON Schema ajv compiles (see the adaptations above). */
export function toJsonSchema(
  schema: unknown,
  document: OpenApiDocument,
  options: SchemaOptions = {},
  depth = 0,
): JsonSchema | true {
  if (typeof schema !== 'object' || schema === null) return true;
  let source = schema as JsonSchema;
  const ref = source.$ref;
  if (typeof ref === 'string') {
    const [, group, name] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? [];
    const target = group && name ? document.components?.[group]?.[name] : undefined;
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    source = target;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(source)) {
    if (ANNOTATIONS.has(key) || key === 'nullable' || key === '$ref') continue;
    if (key === 'format' && value === 'uuid') continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, inner]) => [
          name,
          toJsonSchema(inner, document, recordless(options), depth + 1),
        ]),
      );
    } else if (key === 'items' || key === 'additionalProperties') {
      // The records of a top-level array take the extras; anything deeper takes none.
      const inner = key === 'items' && depth === 0 ? { ...options } : recordless(options);
      out[key] =
        typeof value === 'boolean'
          ? value
          : toJsonSchema(value, document, inner, depth === 0 && key === 'items' ? 0 : depth + 1);
    } else out[key] = value;
  }
  if (options.booleans === 'either' && out.type === 'boolean') {
    delete out.type;
    out.enum = [true, false, 0, 1];
  }
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // Extras add to the published properties (never replacing one), adapted as they are.
  const adapt = (extras: Record<string, JsonSchema | true>) =>
    Object.fromEntries(
      Object.entries(extras).map(([name, inner]) => [
        name,
        toJsonSchema(inner, document, recordless(options), depth + 1),
      ]),
    );
  if (out.properties !== undefined && options.extras) {
    out.properties = { ...adapt(options.extras), ...(out.properties as JsonSchema) };
  }
  if (out.properties !== undefined && options.patternExtras) {
    out.patternProperties = adapt(options.patternExtras);
  }
  if (options.closed && out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** A schema that accepts what `example` shows (types only; nothing required): where only an example is published. */
export function schemaFromExample(example: unknown): JsonSchema | true {
  if (example === null || example === undefined) return true;
  if (typeof example === 'string') return { type: 'string' };
  if (typeof example === 'boolean') return { type: 'boolean' };
  if (typeof example === 'number') return { type: Number.isInteger(example) ? 'integer' : 'number' };
  if (Array.isArray(example)) {
    const items = example.map(schemaFromExample).reduce(mergeSchemas, undefined);
    return { type: 'array', ...(items !== undefined && items !== true ? { items } : {}) };
  }
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(example).map(([key, value]) => [key, schemaFromExample(value)]),
    ),
  };
}

/** Two inferred schemas as one: properties and items merged, other differences as anyOf. */
export function mergeSchemas(a: JsonSchema | true | undefined, b: JsonSchema | true): JsonSchema | true {
  if (a === undefined) return b;
  if (a === true || b === true) return true;
  if (a.type === 'object' && b.type === 'object') {
    const properties: Record<string, JsonSchema | true> = { ...(a.properties as Record<string, JsonSchema>) };
    for (const [key, value] of Object.entries(b.properties as Record<string, JsonSchema | true>)) {
      properties[key] = mergeSchemas(properties[key], value);
    }
    return { type: 'object', properties };
  }
  if (a.type === 'array' && b.type === 'array') {
    const items =
      b.items === undefined
        ? a.items
        : mergeSchemas(a.items as JsonSchema | undefined, b.items as JsonSchema);
    return { type: 'array', ...(items !== undefined ? { items } : {}) };
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  return { anyOf: [a, b] };
}

/** Closes every object with properties, and lets a boolean be 1/0 too, as toJsonSchema does. */
export function adaptInferred(schema: JsonSchema | true, options: SchemaOptions): JsonSchema | true {
  if (schema === true) return true;
  const out: JsonSchema = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, JsonSchema | true>).map(([key, value]) => [
        key,
        adaptInferred(value, recordless(options)),
      ]),
    );
    if (options.extras) out.properties = { ...options.extras, ...(out.properties as JsonSchema) };
    if (options.patternExtras) out.patternProperties = { ...options.patternExtras };
    if (options.closed) out.additionalProperties = false;
  }
  if (out.items !== undefined) out.items = adaptInferred(out.items as JsonSchema, recordless(options));
  if (Array.isArray(out.anyOf)) out.anyOf = (out.anyOf as JsonSchema[]).map((s) => adaptInferred(s, options));
  if (options.booleans === 'either' && out.type === 'boolean') {
    delete out.type;
    out.enum = [true, false, 0, 1];
  }
  return out;
}

export interface BynderOpenApi {
  /** The published operation for a request: literal path segments beat placeholders; a trailing slash is ignored here. */
  find(method: string, requestPath: string): PublishedOperation | undefined;
  /** The operation's published response schema for `status` (adapted), or undefined when it publishes none. */
  responseSchema(
    op: PublishedOperation,
    status: number,
    options?: SchemaOptions,
  ): JsonSchema | true | undefined;
  /** The published example answers for `status`. */
  responseExamples(op: PublishedOperation, status: number): unknown[];
  /** Whether `status` is among the operation's published answers. */
  declares(op: PublishedOperation, status: number): boolean;
  /** Problems of `body` against `schema`, in words (empty: valid). */
  validate(schema: JsonSchema | true, body: unknown): string[];
  /** What in a request differs from its published description (empty: none). */
  checkRequest(request: CapturedRequest, op: PublishedOperation): string[];
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 10).map((error) => {
    const where = error.instancePath === '' ? 'the body' : error.instancePath;
    const extra =
      error.keyword === 'additionalProperties'
        ? ` "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`
        : '';
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
}

/** Query values for a parameter's published schema: integer limits, booleans (true/false or 1/0), enums. */
function checkQueryValue(name: string, value: string, schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return `query "${name}"=${JSON.stringify(value)} is not an integer`;
    const n = Number(value);
    if (typeof schema.maximum === 'number' && n > schema.maximum) {
      return `query "${name}"=${n} is over its published maximum ${schema.maximum}`;
    }
    if (typeof schema.minimum === 'number' && n < schema.minimum) {
      return `query "${name}"=${n} is under its published minimum ${schema.minimum}`;
    }
    if (n < 1 && (name === 'limit' || name === 'page')) return `query "${name}"=${n} is not a positive count`;
  }
  // Booleans: the published type, or the 1/0 Bynder's reference uses in its own text (`options=0`).
  if (schema.type === 'boolean' && !['true', 'false', '1', '0'].includes(value)) {
    return `query "${name}"=${JSON.stringify(value)} is not a boolean`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return `query "${name}"=${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`;
  }
  return undefined;
}

/** A form value against its published property schema: booleans as true/false, date-times, text. */
function checkFormValue(
  name: string,
  value: string,
  schema: JsonSchema | true,
  validateFormat: (format: string, value: string) => boolean,
): string | undefined {
  if (schema === true) return undefined;
  if (schema.type === 'boolean' && value !== 'true' && value !== 'false') {
    return `form field "${name}"=${JSON.stringify(value)} is not true or false`;
  }
  if (typeof schema.format === 'string' && value !== '' && !validateFormat(schema.format, value)) {
    return `form field "${name}"=${JSON.stringify(value)} is not a ${schema.format}`;
  }
  return undefined;
}

export function loadBynderOpenApi(dir = BYNDER_OPENAPI_DIR): BynderOpenApi {
  const documents = loadDocuments(dir);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  const compile = (schema: JsonSchema): ValidateFunction => {
    let validator = compiled.get(schema);
    if (!validator) {
      validator = ajv.compile(schema);
      compiled.set(schema, validator);
    }
    return validator;
  };
  const formatValidators = new Map<string, ValidateFunction>();
  const validateFormat = (format: string, value: string): boolean => {
    let validator = formatValidators.get(format);
    if (!validator) {
      validator = ajv.compile({ type: 'string', format });
      formatValidators.set(format, validator);
    }
    return validator(value);
  };

  const find = (method: string, requestPath: string): PublishedOperation | undefined => {
    const found: PublishedOperation[] = [];
    for (const { file, document } of documents) {
      for (const [template, operations] of Object.entries(document.paths)) {
        const operation = operations[method.toLowerCase()];
        if (operation && matchesTemplate(template, requestPath)) {
          found.push({ file, method: method.toUpperCase(), template, operation, document });
        }
      }
    }
    return found.sort((a, b) => literalCount(b.template) - literalCount(a.template))[0];
  };

  const jsonContent = (op: PublishedOperation, status: number) =>
    op.operation.responses?.[String(status)]?.content?.['application/json'];

  return {
    find,
    declares: (op, status) => op.operation.responses?.[String(status)] !== undefined,
    responseSchema: (op, status, options = {}) => {
      const schema = jsonContent(op, status)?.schema;
      return schema === undefined ? undefined : toJsonSchema(schema, op.document, options);
    },
    responseExamples: (op, status) =>
      Object.values(jsonContent(op, status)?.examples ?? {}).map((example) => example.value),
    validate: (schema, body) => {
      if (schema === true) return [];
      const validator = compile(schema);
      return validator(body) ? [] : describeErrors(validator.errors);
    },
    checkRequest: (request, op) => {
      const problems: string[] = [];
      const parameters = op.operation.parameters ?? [];
      const pathTemplate = op.template;
      // Path parameters: each placeholder must hold one non-empty segment.
      const wanted = segmentsOf(pathTemplate);
      const actual = segmentsOf(request.path);
      wanted.forEach((segment, i) => {
        if (/^\{.+\}$/.test(segment) && (actual[i] ?? '') === '') problems.push(`path ${segment} is empty`);
      });
      // Query: every parameter sent is published, with a value its schema allows; required ones sent.
      const queryParameters = parameters.filter((p) => p.in === 'query');
      for (const [name, value] of request.query) {
        const parameter = queryParameters.find(
          (p) => p.name === name || (p.name === 'property_NAME' && /^property_.+/.test(name)),
        );
        if (!parameter) {
          problems.push(`query "${name}" is not a published parameter of ${op.method} ${pathTemplate}`);
          continue;
        }
        const problem = checkQueryValue(name, value, parameter.schema);
        if (problem) problems.push(problem);
      }
      for (const required of queryParameters.filter((p) => p.required)) {
        if (!request.query.has(required.name)) problems.push(`query "${required.name}" is required`);
      }
      // Body: the published content type, and form fields the published schema names.
      const content = op.operation.requestBody?.content;
      if (content === undefined) {
        if (request.body !== '') {
          problems.push(`a body is sent, but ${op.method} ${pathTemplate} publishes none`);
        }
        return problems;
      }
      const mediaType = (request.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const published = content[mediaType];
      if (!published) {
        problems.push(`body sent as "${mediaType}", published as ${Object.keys(content).join(' or ')}`);
        return problems;
      }
      if (mediaType !== 'application/x-www-form-urlencoded') return problems;
      const formSchema = toJsonSchema(published.schema, op.document);
      const properties = (formSchema === true ? {} : (formSchema.properties ?? {})) as Record<
        string,
        JsonSchema | true
      >;
      for (const [name, value] of new URLSearchParams(request.body)) {
        // Bynder's dictionaries travel as `name.key` form fields (`metaproperty.<id>=<option ids>`).
        const [head = '', key] = name.split(/\.(.*)/s);
        const property = properties[name] ?? (key !== undefined ? properties[head] : undefined);
        if (property === undefined) {
          problems.push(`form field "${name}" is not published for ${op.method} ${pathTemplate}`);
          continue;
        }
        const isDictionary = property !== true && property.type === 'object' && key !== undefined;
        const valueSchema = isDictionary
          ? ((property.additionalProperties as JsonSchema | undefined) ?? true)
          : property;
        const problem = checkFormValue(name, value, valueSchema, validateFormat);
        if (problem) problems.push(problem);
      }
      return problems;
    },
  };
}
