// A small JSON-schema-like checker with Ajv's wording, for app.yml and schema files. The SDK runs
// Ajv (allErrors) and prints `Invalid <file>: <path> <message> (<param>: <json>)`; this reproduces
// that output for the keywords those schemas use, without adding Ajv as a dependency.

export type Shape =
  | { type: 'string'; enum?: readonly string[]; pattern?: RegExp; const?: string }
  | { type: 'boolean' }
  | { type: 'array'; items: Shape }
  | { type: 'object'; properties: Record<string, Shape>; required?: readonly string[] }
  /** An object with free keys, each value of one shape (e.g. `destinations`). */
  | { type: 'map'; values: Shape }
  /** A value that is either a string or an object of the given shape (e.g. a destination's `schema`). */
  | { type: 'string-or-object'; object: Shape & { type: 'object' } }
  /** Any object; its content is not checked (sections this app does not use). */
  | { type: 'any-object' }
  /** Anything; a later rule checks it with a more specific message. */
  | { type: 'unknown' };

export interface ShapeError {
  /** JSON pointer without the leading slash, e.g. `destinations/bynder_assets`. */
  path: string;
  message: string;
  params: Record<string, unknown>;
}

/** Renders one error as the SDK does (3.3.3 appends Ajv's params). */
export function formatShapeError(file: string, error: ShapeError): string {
  const where = error.path ? `${error.path} ` : '';
  const params = Object.entries(error.params)
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ');
  return `Invalid ${file}: ${where}${error.message}${params ? ` (${params})` : ''}`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every error in `value` against `shape` (all of them, as Ajv's allErrors does). */
export function checkShape(value: unknown, shape: Shape, path = ''): ShapeError[] {
  const at = (segment: string | number) => (path ? `${path}/${segment}` : String(segment));
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return [{ path, message: 'must be string', params: { type: 'string' } }];
      if (shape.enum && !shape.enum.includes(value)) {
        return [
          {
            path,
            message: 'must be equal to one of the allowed values',
            params: { allowedValues: shape.enum },
          },
        ];
      }
      if (shape.const !== undefined && value !== shape.const) {
        return [{ path, message: 'must be equal to constant', params: { allowedValue: shape.const } }];
      }
      if (shape.pattern && !shape.pattern.test(value)) {
        const pattern = shape.pattern.source;
        return [{ path, message: `must match pattern "${pattern}"`, params: { pattern } }];
      }
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean'
        ? []
        : [{ path, message: 'must be boolean', params: { type: 'boolean' } }];
    case 'array':
      if (!Array.isArray(value)) return [{ path, message: 'must be array', params: { type: 'array' } }];
      return value.flatMap((item, index) => checkShape(item, shape.items, at(index)));
    case 'unknown':
      return [];
    case 'any-object':
      return isPlainObject(value) ? [] : [{ path, message: 'must be object', params: { type: 'object' } }];
    case 'map':
      if (!isPlainObject(value)) return [{ path, message: 'must be object', params: { type: 'object' } }];
      return Object.entries(value).flatMap(([key, item]) => checkShape(item, shape.values, at(key)));
    case 'string-or-object':
      if (typeof value === 'string') return [];
      if (!isPlainObject(value)) {
        return [{ path, message: 'must be string,object', params: { type: ['string', 'object'] } }];
      }
      return checkShape(value, shape.object, path);
    case 'object': {
      if (!isPlainObject(value)) return [{ path, message: 'must be object', params: { type: 'object' } }];
      const errors: ShapeError[] = [];
      for (const key of shape.required ?? []) {
        if (!(key in value)) {
          errors.push({
            path,
            message: `must have required property '${key}'`,
            params: { missingProperty: key },
          });
        }
      }
      for (const [key, item] of Object.entries(value)) {
        const property = shape.properties[key];
        if (!property) {
          errors.push({
            path,
            message: 'must NOT have additional properties',
            params: { additionalProperty: key },
          });
        } else {
          errors.push(...checkShape(item, property, at(key)));
        }
      }
      return errors;
    }
  }
}
