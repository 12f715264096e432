// Display names come from Bynder labels, which admins may duplicate ("Region" twice) or set to a
// standard field's name ("Description"). Duplicates get their unique field name appended, e.g.
// "Region (region_2)", so a person mapping can tell them apart.

export interface DisplayNameEntry {
  fieldName: string;
  label: string;
}

const keyOf = (label: string) => label.trim().toLowerCase();

/** Display name per field name; every entry sharing a label (with another entry or with `taken`) is disambiguated. */
export function assignDisplayNames(
  entries: readonly DisplayNameEntry[],
  taken: Iterable<string>,
): Map<string, string> {
  const counts = new Map<string, number>();
  for (const label of taken) counts.set(keyOf(label), Number.POSITIVE_INFINITY);
  for (const { label } of entries) counts.set(keyOf(label), (counts.get(keyOf(label)) ?? 0) + 1);
  return new Map(
    entries.map(({ fieldName, label }) => {
      const shown = label.trim();
      return [fieldName, (counts.get(keyOf(label)) ?? 0) > 1 ? `${shown} (${fieldName})` : shown];
    }),
  );
}
