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
 * - a metaproperty with a pin (`pins`: id → name, see field-name-pins.ts) keeps its pinned name, and
 *   no other metaproperty gets a pinned name, even when the pinned id is absent from the list;
 * - a standard field's name (`reserved`) is never taken; such a metaproperty gets `mp_<name>`;
 * - when several unpinned metaproperties normalise to the same name, the one whose Bynder name
 *   already IS that name keeps it (Bynder names are unique, so at most one), otherwise the one with
 *   the smallest id; every other one, and every one whose name is pinned to another id, gets
 *   `_<6 hex of sha256(id)>` (longer if that is taken too).
 * Without pins, adding a metaproperty can rename an existing one (`Région` is `region` until a
 * `region` appears); with pins it cannot, which is why the field model is always built with them.
 */
export function assignFieldNames(
  metaproperties: readonly NamedMetaproperty[],
  reserved: ReadonlySet<string>,
  pins: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const names = new Map<string, string>();
  const pinned = new Set(pins.values());
  const groups = new Map<string, NamedMetaproperty[]>();
  for (const mp of metaproperties) {
    const pin = pins.get(mp.id);
    if (pin !== undefined) {
      // A pin onto a name a standard field now has (a later app version) is not honoured: two
      // fields cannot share a name, and moving the metaproperty elsewhere would break the pin. It
      // stays unnamed, so the field model leaves it out.
      if (!reserved.has(pin)) names.set(mp.id, pin);
      continue;
    }
    const normalised = normaliseFieldName(mp.name, mp.id);
    const candidate = reserved.has(normalised)
      ? cut(`${METAPROPERTY_NAME_PREFIX}${normalised}`, MAX_FIELD_NAME_LENGTH)
      : normalised;
    groups.set(candidate, [...(groups.get(candidate) ?? []), mp]);
  }

  const taken = new Set<string>([...reserved, ...pinned, ...groups.keys()]);
  // Visit candidates in sorted order so hash-extension on the (astronomically rare) suffix clash is deterministic.
  for (const [candidate, members] of [...groups].sort(([a], [b]) => compareText(a, b))) {
    const sorted = [...members].sort((a, b) => compareText(a.id, b.id));
    // A name pinned to another metaproperty (present or retired) has no new owner.
    const owner = pinned.has(candidate)
      ? undefined
      : (sorted.find((mp) => mp.name === candidate) ?? sorted[0]);
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
