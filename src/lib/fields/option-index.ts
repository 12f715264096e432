import type { MetapropertyOption } from '../bynder/api-types';
import { byZindexThenName } from './compare-text';

// Finds a metaproperty's option from what a person types: its name, label or id, case-insensitive
// and trimmed. Nested options are flattened, so a child option is found by its own name or label.

export interface IndexedOption {
  id: string;
  name: string;
  /** What a person sees: the label, else the name. */
  display: string;
  /** False for options marked `isSelectable: false` or `active: false`: Bynder will not take them. */
  selectable: boolean;
  /** 0 for top-level options, 1 for their children, ... */
  depth: number;
}

export type OptionMatch =
  | { kind: 'found'; option: IndexedOption }
  | { kind: 'not_selectable'; option: IndexedOption }
  | { kind: 'unknown' };

export interface OptionIndex {
  resolve(text: string): OptionMatch;
  /** Selectable options, depth-first in Bynder's order (zindex, then name). */
  readonly selectable: readonly IndexedOption[];
  /**
   * The id of the one option whose name is exactly `name` (as Bynder's asset reads name options),
   * selectable or not; undefined when none or several options carry it.
   */
  idOfName(name: string): string | undefined;
}

const keyOf = (text: string) => text.normalize('NFC').trim().toLowerCase();
// How well a key matches an option: lower is better. Name beats label beats display label beats id.
const MATCH_RANK = { name: 0, label: 1, displayLabel: 2, id: 3 } as const;

function flatten(
  options: readonly MetapropertyOption[],
  depth: number,
  into: Array<[MetapropertyOption, IndexedOption]>,
) {
  for (const option of [...options].sort(byZindexThenName)) {
    into.push([
      option,
      {
        id: option.id,
        name: option.name,
        display: option.label?.trim() || option.name,
        selectable: option.isSelectable !== false && option.active !== false,
        depth,
      },
    ]);
    if (option.options?.length) flatten(option.options, depth + 1, into);
  }
}

/**
 * Index a metaproperty's options. When one text matches several options, the choice is
 * deterministic: a selectable option first, then a match on name before label, then the shallower
 * option, then Bynder's order.
 */
export function buildOptionIndex(options: readonly MetapropertyOption[]): OptionIndex {
  const flat: Array<[MetapropertyOption, IndexedOption]> = [];
  flatten(options, 0, flat);

  const candidates = new Map<string, Array<{ option: IndexedOption; rank: number; position: number }>>();
  flat.forEach(([raw, option], position) => {
    const keys: Array<[string | undefined, number]> = [
      [raw.name, MATCH_RANK.name],
      [raw.label, MATCH_RANK.label],
      [raw.displayLabel, MATCH_RANK.displayLabel],
      [raw.id, MATCH_RANK.id],
    ];
    const seen = new Set<string>();
    for (const [text, rank] of keys) {
      if (!text?.trim()) continue;
      const key = keyOf(text);
      if (seen.has(key)) continue; // label equal to name: index once, at the better rank
      seen.add(key);
      candidates.set(key, [...(candidates.get(key) ?? []), { option, rank, position }]);
    }
  });
  const best = new Map<string, IndexedOption>();
  for (const [key, list] of candidates) {
    list.sort(
      (a, b) =>
        Number(b.option.selectable) - Number(a.option.selectable) ||
        a.rank - b.rank ||
        a.option.depth - b.option.depth ||
        a.position - b.position,
    );
    if (list[0]) best.set(key, list[0].option);
  }

  const idsByName = new Map<string, string[]>();
  for (const [raw] of flat) idsByName.set(raw.name, [...(idsByName.get(raw.name) ?? []), raw.id]);

  return {
    selectable: flat.map(([, option]) => option).filter((option) => option.selectable),
    idOfName(name) {
      const ids = idsByName.get(name);
      return ids?.length === 1 ? ids[0] : undefined;
    },
    resolve(text) {
      const option = best.get(keyOf(text));
      if (!option) return { kind: 'unknown' };
      return option.selectable ? { kind: 'found', option } : { kind: 'not_selectable', option };
    },
  };
}
