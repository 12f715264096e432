// The database name of an option the app creates, derived from its label the way Bynder's own
// taxonomy editor derives names from labels (lower case, letters and digits, everything else one
// underscore: https://support.bynder.com, "Metaproperty and option database names"): `Spring '26`
// → `spring_26`. Accents are dropped (`Été` → `ete`); a label with no letter or digit becomes
// `option`. A name an option of the metaproperty already has (compared in any letter case, as Bynder
// refuses duplicates) takes the first free `_2`, `_3`, … suffix, so it never collides.

/** Bynder caps names; this keeps a derived one well inside any limit seen. */
const MAX_OPTION_NAME_LENGTH = 100;

export function deriveOptionName(label: string, existingNames: Iterable<string>): string {
  const base =
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, MAX_OPTION_NAME_LENGTH) || 'option';
  const taken = new Set([...existingNames].map((name) => name.toLowerCase()));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base.slice(0, MAX_OPTION_NAME_LENGTH - String(n).length - 1)}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
