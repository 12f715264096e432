import { failureReasonTexts } from '../messages';
import type { Clock, KeyValueStore, Logger, Random } from '../runtime-ports';
import { reserveDeletes } from '../state/delete-quota';
import { holdWrites, type WriteToHold } from '../state/held-deletes';
import { type HeldOutcome, type RejectedOutcome, rejectedOutcome } from './outcome';
import type { PlannedWrite } from './plan';

// The mass-delete threshold, as a step of a batch: after planning, before anything is read or
// written, the batch's deletes and archives reserve their place in the sync's hour (one
// compare-and-set of the shared count, so workers delivering at once share one allowance); those
// past it are held (state/held-deletes.ts) and end `held`; those that do not fit the held list are
// rejected with a reason saying so. Nothing happens, and no store call is made, for a batch with no
// delete or archive, for the outbox's own batch (its records were counted when first planned, or
// released by an administrator), or when the threshold is 0.

/** A write that deletes or archives its asset: a delete, or an upsert that sets `archive`. */
export function deletesOrArchives(write: PlannedWrite): 'delete' | 'archive' | undefined {
  if (write.kind === 'delete') return write.deleteBy === 'delete' ? 'delete' : 'archive';
  return write.form.archive === 'true' ? 'archive' : undefined;
}

export interface MassDeleteDeps {
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  random?: Random;
}

/**
 * Splits `writes` into those sent and those held (or rejected when the held list is full). The
 * deletes sent are the first in batch order; the later ones are held.
 */
export async function holdMassDeletes<W extends PlannedWrite>(
  writes: readonly W[],
  batch: { items: readonly unknown[]; sync: { id: string; name: string }; outboxIds?: readonly string[] },
  perHour: number,
  deps: MassDeleteDeps,
): Promise<{ writes: W[]; held: HeldOutcome[]; rejected: RejectedOutcome[]; heldInAll: number }> {
  const deletes = writes.filter((w) => deletesOrArchives(w) !== undefined);
  if (batch.outboxIds || perHour <= 0 || deletes.length === 0) {
    return { writes: [...writes], held: [], rejected: [], heldInAll: 0 };
  }
  const byOrder = [...deletes].sort((a, b) => (a.records[0] ?? 0) - (b.records[0] ?? 0));
  const { granted } = await reserveDeletes(batch.sync.id, deletes.length, perHour, deps);
  const holding = new Set<W>(byOrder.slice(granted));
  if (holding.size === 0) return { writes: [...writes], held: [], rejected: [], heldInAll: 0 };
  const toHold: WriteToHold[] = [...holding].map((w) => ({
    key: w.key,
    items: [...w.records].sort((a, b) => a - b).map((p) => batch.items[p]),
    kind: deletesOrArchives(w) ?? 'archive',
  }));
  const { held, inAll } = await holdWrites(toHold, batch.sync, deps);
  const heldOutcomes: HeldOutcome[] = [];
  const rejected: RejectedOutcome[] = [];
  for (const w of holding) {
    const record = { key: w.key, subject: w.subject, records: w.records };
    if (held.has(w.key)) heldOutcomes.push({ ...record, status: 'held', perHour });
    else rejected.push(rejectedOutcome(record, [{ problem: failureReasonTexts.heldOverflow(perHour) }]));
  }
  deps.logger.warn(
    `Mass-delete threshold for sync ${JSON.stringify(batch.sync.name.slice(0, 100))}: ${granted} of ${deletes.length} deletes and archives sent (at most ${perHour} an hour), ${heldOutcomes.length} held${rejected.length > 0 ? `, ${rejected.length} rejected: the held list is full` : ''}`,
  );
  return { writes: writes.filter((w) => !holding.has(w)), held: heldOutcomes, rejected, heldInAll: inAll };
}
