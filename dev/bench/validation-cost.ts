import { DEFAULTS } from '../../src/lib/config';
import type { AssetItem } from '../../src/lib/delivery/asset-item';
import { planBatch, type PlanPolicy } from '../../src/lib/delivery/plan';
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

function plannedWrites(batches: readonly AssetItem[][], portal: BenchPortal): number {
  let planned = 0;
  for (const batch of batches) planned += planBatch(batch, portal.model, DEFAULT_POLICY).writes.length;
  return planned;
}

function batchesOf(portal: BenchPortal, records: number, offset: number): AssetItem[][] {
  const batches: AssetItem[][] = [];
  for (let start = 0; start < records; start += BATCH_SIZE) {
    const batch: AssetItem[] = [];
    for (let i = start; i < Math.min(records, start + BATCH_SIZE); i += 1) {
      batch.push(changedRecord(portal, benchAssetId(offset + i), offset + i));
    }
    batches.push(batch);
  }
  return batches;
}

export function measureValidationCost(portal: BenchPortal, records = 100_000): ValidationCost {
  // Warm-up so the JIT has compiled the path before it is timed, as in a long-running sync.
  plannedWrites(batchesOf(portal, Math.min(records, 10_000), records), portal);
  // Records are built before timing: only planning is measured.
  const batches = batchesOf(portal, records, 0);
  const before = process.cpuUsage();
  const planned = plannedWrites(batches, portal);
  const used = process.cpuUsage(before);
  return { records, microsPerRecord: (used.user + used.system) / records, planned };
}
