import { createHash } from 'node:crypto';

import { compareText } from './compare-text';

// OCP field names (`^[a-z][a-z0-9_]{1,61}$`) derived from Bynder's immutable metaproperty `name`,
// never its label, so relabelling in Bynder does not break a saved mapping.

export const FIELD_NAME_PATTERN = /^[a-z][a-z0-9_]{1,61}$/;
export const MAX_FIELD_NAME_LENGTH = 62;
/** Prefix for names that would otherwise start with a digit, be too short, or take a standard field's name. */
export const METAPROPERTY_NAME_PREFIX = 'mp_';
const SUFFIX_HASH_LENGTH = 6;

// Letters NFKD does not decompose into ASCII; everything else non-ASCII becomes `_`.
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
};

/** A short hex hash of a metaproperty id: stable across runs and list orders. */
function shortHash(text: string, length = SUFFIX_HASH_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function cut(name: string, maxLength: number): string {
  return name.slice(0, maxLength).replace(/_+$/, '');
}

/**
 * The OCP name a Bynder metaproperty name normalises to, before collisions are resolved:
 * lower-case, accents stripped (NFKD), other characters to `_`, runs of `_` collapsed and trimmed,
 * `mp_` before a leading digit or a one-letter name, `mp_<hash of id>` when nothing is left, 62 chars at most.
 */
export function normaliseFieldName(bynderName: string, metapropertyId: string): string {
  const ascii = [...bynderName.toLowerCase()]
    .map((ch) => TRANSLITERATIONS[ch] ?? ch)
    .join('')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  const base = ascii.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (base === '') return `${METAPROPERTY_NAME_PREFIX}${shortHash(metapropertyId)}`;
  const startsWell = /^[a-z]/.test(base) && base.length >= 2;
  return cut(startsWell ? base : `${METAPROPERTY_NAME_PREFIX}${base}`, MAX_FIELD_NAME_LENGTH);
}

function withSuffix(base: string, suffix: string): string {
  return `${cut(base, MAX_FIELD_NAME_LENGTH - suffix.length - 1)}_${suffix}`;
}

export interface NamedMetaproperty {
  id: string;
  name: string;
}

/**
 * Unique OCP names for all metaproperties, keyed by metaproperty id. Deterministic and independent
 * of list order:
 * - a standard field's name (`reserved`) is never taken; such a metaproperty gets `mp_<name>`;
 * - when several metaproperties normalise to the same name, the one whose Bynder name already IS
 *   that name keeps it (Bynder names are unique, so at most one), otherwise the one with the
 *   smallest id; every other one gets `_<6 hex of sha256(id)>` (longer if that is taken too).
 * So adding a metaproperty never renames an existing field, except in the rare case where the new
 * one normalises to the same name as an existing one whose Bynder name is not already a valid OCP
 * name (e.g. `Région` is then joined by `region`): the exact name wins.
 */
export function assignFieldNames(
  metaproperties: readonly NamedMetaproperty[],
  reserved: ReadonlySet<string>,
): Map<string, string> {
  const groups = new Map<string, NamedMetaproperty[]>();
  for (const mp of metaproperties) {
    const normalised = normaliseFieldName(mp.name, mp.id);
    const candidate = reserved.has(normalised)
      ? cut(`${METAPROPERTY_NAME_PREFIX}${normalised}`, MAX_FIELD_NAME_LENGTH)
      : normalised;
    groups.set(candidate, [...(groups.get(candidate) ?? []), mp]);
  }

  const names = new Map<string, string>();
  const taken = new Set<string>([...reserved, ...groups.keys()]);
  // Visit candidates in sorted order so hash-extension on the (astronomically rare) suffix clash is deterministic.
  for (const [candidate, members] of [...groups].sort(([a], [b]) => compareText(a, b))) {
    const sorted = [...members].sort((a, b) => compareText(a.id, b.id));
    const owner = sorted.find((mp) => mp.name === candidate) ?? sorted[0];
    for (const mp of sorted) {
      if (mp === owner) {
        names.set(mp.id, candidate);
        continue;
      }
      let length = SUFFIX_HASH_LENGTH;
      let name = withSuffix(candidate, shortHash(mp.id, length));
      while (taken.has(name) && length < 64) name = withSuffix(candidate, shortHash(mp.id, ++length));
      taken.add(name);
      names.set(mp.id, name);
    }
  }
  return names;
}
