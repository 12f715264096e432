import { DEFAULTS } from '../../src/lib/config';
import { type AssetItem, planBatch, type PlanPolicy } from '../../src/lib/delivery';
import { benchAssetId, type BenchPortal, changedRecord } from './bench-portal';

// Validation and encoding cost per record, without network: the records go through planBatch (the
// step deliver() runs per batch: validate with zod, encode the form, dedupe, fingerprint) in
// batches of 100, as OCP sends them. CPU time (user + system) of this process, divided by records.

export const BATCH_SIZE = 100;

const DEFAULT_POLICY: PlanPolicy = {
  deletePolicy: DEFAULTS.deletePolicy,
  emptyValues: DEFAULTS.emptyValues,
  unknownOptions: DEFAULTS.unknownOptions,
};

export interface ValidationCost {
  records: number;
  microsPerRecord: number;
  /** Writes planned: equals `records` when every record validated (a check that the work was real). */
  planned: number;
}

/** One batch of records, built on demand: as in deliver(), only the batch at hand is alive. */
function batchAt(portal: BenchPortal, start: number, records: number, offset: number): AssetItem[] {
  const batch: AssetItem[] = [];
  for (let i = start; i < Math.min(records, start + BATCH_SIZE); i += 1) {
    batch.push(changedRecord(portal, benchAssetId(offset + i), offset + i));
  }
  return batch;
}

/**
 * Plans `records` records in batches of 100 and returns the CPU time spent in planBatch alone
 * (building each batch is not timed). Batches are built one at a time, because holding all
 * 100,000 records alive at once would charge deliver() for garbage collection it never does.
 */
function planInBatches(
  portal: BenchPortal,
  records: number,
  offset: number,
): { micros: number; planned: number } {
  let micros = 0;
  let planned = 0;
  for (let start = 0; start < records; start += BATCH_SIZE) {
    const batch = batchAt(portal, start, records, offset);
    const before = process.cpuUsage();
    planned += planBatch(batch, portal.model, DEFAULT_POLICY).writes.length;
    const used = process.cpuUsage(before);
    micros += used.user + used.system;
  }
  return { micros, planned };
}

export function measureValidationCost(portal: BenchPortal, records = 100_000): ValidationCost {
  // Warm-up so the JIT has compiled the path before it is timed, as in a long-running sync.
  planInBatches(portal, Math.min(records, 10_000), records);
  const { micros, planned } = planInBatches(portal, records, 0);
  return { records, microsPerRecord: micros / records, planned };
}
