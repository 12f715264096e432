/**
 * Bynder's payloads carry booleans as 1/0 (Bynder's Java SDK parses `"isPublic": 0` through its
 * BooleanTypeAdapter; the C# SDK has a BooleanJsonConverter for the same reason), although its
 * OpenAPI documents JSON booleans. With `asNumbers` every boolean-valued field of `record` (one
 * level: an asset, a metaproperty or an option) is rendered as 1/0; otherwise it is left as is.
 */
export function renderFlags<T extends Record<string, unknown>>(record: T, asNumbers: boolean): T {
  if (!asNumbers) return record;
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    rendered[key] = typeof value === 'boolean' ? Number(value) : value;
  }
  return rendered as T;
}
