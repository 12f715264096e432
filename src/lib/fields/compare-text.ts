/**
 * Orders text by UTF-16 code units, the same on every host: `localeCompare` would depend on the
 * runtime's ICU data, and field names, hashes and option order must not shift between hosts.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
