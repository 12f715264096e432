// The one rule for "is this the same text" wherever a configured name or a record key is matched
// against what Bynder holds: the external key metaproperty's name (field model and settings check)
// and the key value an asset carries (external-key lookups and their cache).
//
// Surrounding whitespace is not part of a name or a key: record keys and settings are trimmed when
// read, and a value stored in Bynder is trimmed here. Everything else counts: letter case, inner
// whitespace and the Unicode form. `SKU-1` and `sku-1` are two keys, `External_ID` and `external_id`
// two metaproperties. A looser rule would let the app write to an asset (or a metaproperty) that
// merely resembles the one meant, and Bynder does not document how it compares text itself.

/** Whether `a` and `b` are the same name or key under the rule above. */
export function sameKeyText(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

/** The item whose `name` is `wanted` under the rule above (Bynder names are unique: at most one). */
export function findByKeyText<T extends { name: string }>(
  items: readonly T[],
  wanted: string,
): T | undefined {
  return items.find((item) => sameKeyText(item.name, wanted));
}

/**
 * An item that `wanted` only resembles (same letters in another case, or its label): never a match,
 * only a hint for the message that refuses `wanted`.
 */
export function findNearName<T extends { name: string; label?: string | undefined }>(
  items: readonly T[],
  wanted: string,
): T | undefined {
  const lower = wanted.trim().toLowerCase();
  return items.find(
    (item) => item.name.trim().toLowerCase() === lower || item.label?.trim().toLowerCase() === lower,
  );
}

/**
 * Whether an asset's value for a text metaproperty (`property_<name>` in Bynder's answer: a string,
 * or a one-element array on some portals) holds exactly `key`. No value is no match.
 */
export function holdsKey(value: unknown, key: string): boolean {
  if (typeof value === 'string') return sameKeyText(value, key);
  return (
    Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && sameKeyText(value[0], key)
  );
}
