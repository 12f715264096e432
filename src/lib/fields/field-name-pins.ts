import { z } from 'zod';

import { AppError } from '../app-error';
import { KV_ROWS } from '../state/kv-rows';
import { type KeyValueStore, type StoredRow, systemClock } from '../runtime-ports';
import {
  readStateRow,
  stateRow,
  StateRowUnreadableError,
  updateStateRow,
  writtenOrThrow,
} from '../state/state-row';
import { assignFieldNames, FIELD_NAME_PATTERN, type NamedMetaproperty } from './field-name';

// A field name, once offered for an install, always means the same metaproperty id. Sync Manager
// saves mappings by field name; if a name could move (say `region` is deleted in Bynder and
// `Région`, until then `region_<hash>`, takes its name), every saved mapping onto it would write
// into another Bynder field without a word. So each metaproperty's name is pinned in one kvStore row
// the first time it is computed, and later computations honour the pins:
// - a pinned metaproperty keeps its name, whatever else appears or disappears;
// - the name of a metaproperty that disappeared stays pinned to its id (retired): it is never handed
//   to another, so values mapped onto it are dropped with the schema-drift warning, and it comes
//   back if that metaproperty does;
// - a new metaproperty never takes a pinned name (its name gets the `_<hash of id>` suffix instead).
//
// Writers run concurrently (parallel deliver() invocations, the schema function). Pins are added
// with one compare-and-set update (state-row.ts, which creates a missing row safely first) whose
// updater merges into what the row holds, and never overwrites a pin. The updater's last run is what
// the store kept: names the row lacks afterwards are computed again against it and re-written.

const FIELD_NAME_PINS_KEY = KV_ROWS.fieldNamePins.key;

interface PinsRowValue extends StoredRow {
  portalUrl?: string;
  /** Parallel lists: the metaproperty id and its pinned name. */
  ids: unknown[];
  names: unknown[];
}

/** Entries are checked one by one (pinsOf): a malformed one is skipped, never the whole row. */
export const FIELD_NAME_PINS_ROW = stateRow<PinsRowValue>(KV_ROWS.fieldNamePins, {
  schema: z.object({
    portalUrl: z.string().optional(),
    ids: z.array(z.unknown()).catch([]),
    names: z.array(z.unknown()).catch([]),
  }),
  empty: () => ({ ids: [], names: [] }),
});
/**
 * Pins kept per install (a pin: a name of at most 62 characters and a 36-character id, so the row
 * stays under about 250 kB). Pins are never dropped; past this many, new metaproperties get no name
 * and are left out of the field model (logged with the reason) rather than reuse a retired name.
 */
export const MAX_FIELD_NAME_PINS = 2_000;
/** Rounds of write-then-re-read before names still missing from the row are given up for this call. */
const WRITE_ROUNDS = 3;

/** The kvStore could not be read or written: names cannot be guaranteed, so no model is built. */
export class FieldNamePinsError extends AppError {
  public override name = 'FieldNamePinsError';
  /** The store may answer again shortly. */
  public readonly retryable = true;
  public constructor(action: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `Could not ${action} the stored field names (kvStore row ${FIELD_NAME_PINS_KEY}): ${why}; try again later`,
      { cause },
    );
  }
}

export interface PinnedNames {
  /** Metaproperty id → field name, only for metaproperties whose pin the row holds. */
  names: Map<string, string>;
  /** False when some metaproperty got no pin (bound reached, or the row did not keep it). */
  complete: boolean;
}

/**
 * The pinned field name of every metaproperty in `metaproperties`, pinning those that have none.
 * `portalUrl`: pins belong to one portal; a row from another portal is replaced (its ids mean
 * nothing here). `reserved`: names metaproperties never get (the standard fields').
 */
export async function pinFieldNames(
  kvStore: KeyValueStore,
  portalUrl: string,
  metaproperties: readonly NamedMetaproperty[],
  reserved: ReadonlySet<string>,
): Promise<PinnedNames> {
  let pins = await readPins(kvStore, portalUrl);
  for (let round = 0; ; round += 1) {
    const names = assignFieldNames(metaproperties, reserved, pins);
    const fresh = [...names].filter(([id]) => !pins.has(id));
    const room = MAX_FIELD_NAME_PINS - pins.size;
    if (fresh.length === 0 || room <= 0 || round === WRITE_ROUNDS) {
      const pinned = new Map([...names].filter(([id, name]) => pins.get(id) === name));
      return { names: pinned, complete: pinned.size === metaproperties.length };
    }
    const adding = fresh.slice(0, room);
    try {
      const outcome = await updateStateRow({ kvStore, clock: systemClock }, FIELD_NAME_PINS_ROW, (previous) =>
        mergePins(previous, portalUrl, adding),
      );
      pins = pinsOf(writtenOrThrow(outcome, FIELD_NAME_PINS_KEY), portalUrl);
    } catch (error) {
      if (error instanceof StateRowUnreadableError) throw error;
      throw new FieldNamePinsError('store', error);
    }
  }
}

async function readPins(kvStore: KeyValueStore, portalUrl: string): Promise<Map<string, string>> {
  try {
    return pinsOf(await readStateRow(kvStore, FIELD_NAME_PINS_ROW), portalUrl);
  } catch (error) {
    if (error instanceof StateRowUnreadableError) throw error;
    throw new FieldNamePinsError('read', error);
  }
}

/**
 * The pins a row holds for `portalUrl` (id → name). Two parallel string lists, as the SDK's stores
 * keep lists of values; an entry that is malformed, or repeats an id or a name, is skipped (first wins).
 */
function pinsOf(row: PinsRowValue, portalUrl: string): Map<string, string> {
  const pins = new Map<string, string>();
  if (row.portalUrl !== portalUrl) return pins;
  const used = new Set<string>();
  row.ids.forEach((id, i) => {
    const name = row.names[i];
    if (typeof id !== 'string' || typeof name !== 'string' || !FIELD_NAME_PATTERN.test(name)) return;
    if (pins.has(id) || used.has(name)) return;
    pins.set(id, name);
    used.add(name);
  });
  return pins;
}

/**
 * The row with `adding` merged in. Pure (an updater may run several times). Never replaces a pin:
 * an id pinned meanwhile keeps its pin, and a name pinned meanwhile to another id is not added (the
 * caller computes that metaproperty's name again against the new row).
 */
function mergePins(
  previous: PinsRowValue,
  portalUrl: string,
  adding: ReadonlyArray<readonly [string, string]>,
): PinsRowValue {
  const pins = pinsOf(previous, portalUrl);
  const taken = new Set(pins.values());
  for (const [id, name] of adding) {
    if (pins.size >= MAX_FIELD_NAME_PINS) break;
    if (pins.has(id) || taken.has(name)) continue;
    pins.set(id, name);
    taken.add(name);
  }
  return { portalUrl, ids: [...pins.keys()], names: [...pins.values()] };
}
