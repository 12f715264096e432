/**
 * Orders text by UTF-16 code units, the same on every host: `localeCompare` would depend on the
 * runtime's ICU data, and field names, hashes and option order must not shift between hosts.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bynder's display order for metaproperties and options: zindex (unset last), then name, then id. */
export function byZindexThenName(
  a: { zindex?: number; name: string; id: string },
  b: { zindex?: number; name: string; id: string },
): number {
  const za = a.zindex ?? Number.MAX_SAFE_INTEGER;
  const zb = b.zindex ?? Number.MAX_SAFE_INTEGER;
  return za - zb || compareText(a.name, b.name) || compareText(a.id, b.id);
}
