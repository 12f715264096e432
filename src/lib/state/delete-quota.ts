import { z } from 'zod';

import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, Random, StoredRow } from '../runtime-ports';
import { eachParsed, stateRow, updateStateRow, writtenOrThrow } from './state-row';

// The mass-delete threshold's count: how many deletes and archives each sync sent in the last hour,
// shared by every worker through one kvStore row. A batch reserves what it is about to send with one
// compare-and-set, so two workers delivering at once never both take the last of the allowance: of
// every reservation, at most the threshold per sync fits in any hour.
// Counted in 5-minute slots and summed over the last 12, so the hour slides: a burst at the end of a
// clock hour and another at the start of the next cannot send twice the threshold.
// A reservation is spent when made: a delete that then fails (Bynder unavailable) and is sent again
// by OCP's retry counts twice. This errs on the side of holding.

/** One slot of the count. */
export const DELETE_SLOT_MS = 5 * 60_000;
/** The window the threshold counts over: an hour. */
export const DELETE_WINDOW_MS = 60 * 60_000;
const SLOTS_PER_WINDOW = DELETE_WINDOW_MS / DELETE_SLOT_MS;
/** Syncs counted at once; the least recently counted goes first (its hour is then the oldest). */
const MAX_SYNCS = 200;

interface SyncCount {
  sync: string;
  /** `[slot number (ms / DELETE_SLOT_MS), deletes reserved in it]`, the last hour's only. */
  slots: Array<[number, number]>;
}

interface DeleteCountsValue extends StoredRow {
  syncs: SyncCount[];
}

const syncCountSchema = z.object({
  sync: z.string(),
  slots: z.array(z.tuple([z.number(), z.number()])).catch([]),
});

export const DELETE_COUNTS_ROW = stateRow<DeleteCountsValue>(KV_ROWS.deleteCounts, {
  schema: z.object({
    syncs: eachParsed(syncCountSchema),
  }),
  empty: () => ({ syncs: [] }),
});

/** What a reservation got: how many of the wanted deletes may be sent, and how many were sent before. */
export interface DeleteReservation {
  granted: number;
  /** Deletes of this sync sent in the hour before this reservation. */
  before: number;
}

/**
 * Reserves up to `wanted` deletes of `sync` under `perHour` (0: no limit, nothing is counted or
 * stored). One compare-and-set of the shared row; none when nothing is wanted.
 */
export async function reserveDeletes(
  sync: string,
  wanted: number,
  perHour: number,
  deps: { kvStore: KeyValueStore; clock: Clock; random?: Random },
): Promise<DeleteReservation> {
  if (perHour <= 0 || wanted <= 0) return { granted: wanted, before: 0 };
  const now = deps.clock.now();
  const slot = Math.floor(now / DELETE_SLOT_MS);
  let reservation: DeleteReservation = { granted: 0, before: 0 };
  const outcome = await updateStateRow(deps, DELETE_COUNTS_ROW, (current) => {
    const live = (counts: SyncCount['slots']) => counts.filter(([n]) => n > slot - SLOTS_PER_WINDOW);
    const own = current.syncs.find((s) => s.sync === sync);
    const slots = live(own?.slots ?? []);
    const before = slots.reduce((sum, [, n]) => sum + n, 0);
    const granted = Math.max(0, Math.min(wanted, perHour - before));
    reservation = { granted, before };
    if (granted === 0) return current;
    const inSlot = slots.find(([n]) => n === slot);
    const counted: SyncCount = {
      sync,
      slots: inSlot
        ? slots.map(([n, c]): [number, number] => (n === slot ? [n, c + granted] : [n, c]))
        : [...slots, [slot, granted]],
    };
    // The others' expired slots go too; the most recently counted sync last, the oldest dropped first.
    const others = current.syncs
      .filter((s) => s.sync !== sync)
      .map((s) => ({ sync: s.sync, slots: live(s.slots) }))
      .filter((s) => s.slots.length > 0);
    return { syncs: [...others, counted].slice(-MAX_SYNCS) };
  });
  writtenOrThrow(outcome, KV_ROWS.deleteCounts.key);
  return reservation;
}
