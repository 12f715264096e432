// How a record's value is named inside a problem text ("is a list, not text", "\"Sumer\" is not an
// option"): shared by the value schemas and the option writes, and by the record key's checks.

/** A value as it appears in a problem text: quoted, cut to 40 characters. */
export function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** "a boolean", "an object", "a list": what a value of the wrong kind is, for problem texts. */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a ${kind}`;
}
