import { type BenchPortal, buildBenchPortal, changedRecords } from '../../dev/bench/bench-portal';
import type { Media } from '../../src/lib/bynder/api-types';
import type { AssetItem } from '../../src/lib/delivery/asset-item';

// What the chaos runs (one process, and worker processes) share: a seeded random sequence, a
// deterministic shuffle, and the portal the records must leave behind, computed from the seed state
// and the records alone.

export interface ChaosInput {
  portal: BenchPortal;
  changes: AssetItem[];
  /** Asset ids the records delete. */
  deleted: string[];
  /** Asset ids the records carry an unknown option for (rejected, never written). */
  invalid: string[];
  /** Asset ids Bynder does not have (rejected as not found). */
  missing: string[];
  /** All of them, shuffled, cut into batches. */
  batches: AssetItem[][];
}

/** What one delivered batch ended as, after its last attempt. */
export interface ChaosBatchEnd {
  items: AssetItem[];
  result: { success: boolean; retryable?: boolean; failureReason?: string };
  attempts: number;
}

/**
 * What OCP was told about each batch beside what it must be told given the batch's records: applied
 * when it holds no bad record, else rejected (not retryable) for exactly its bad ones. Compared with
 * toEqual, so a mismatch shows the batch's failureReason.
 */
export function toldAndDue(
  ends: readonly ChaosBatchEnd[],
  input: Pick<ChaosInput, 'invalid' | 'missing'>,
): { told: unknown[]; due: unknown[] } {
  const badIn = (end: ChaosBatchEnd) =>
    end.items.filter(
      (item) =>
        input.invalid.includes(String(item.asset_id)) || input.missing.includes(String(item.asset_id)),
    ).length;
  const dueReason = (end: ChaosBatchEnd) => {
    const bad = badIn(end);
    return bad === 0
      ? /^$/
      : new RegExp(`${bad} of ${end.items.length} records rejected.*; ${end.items.length - bad} applied$`);
  };
  const told = ends.map((end) => ({
    success: end.result.success,
    retryable: end.result.retryable === true,
    reasonAsDue: dueReason(end).test(end.result.failureReason ?? ''),
    reason: end.result.failureReason,
  }));
  const due = ends.map((end) => ({
    success: badIn(end) === 0,
    retryable: false,
    reasonAsDue: true,
    reason: end.result.failureReason,
  }));
  return { told, due };
}

/** A chaos run's records: changes, deletes, invalid records and records for missing assets, mixed. */
export function chaosInput(
  counts: { changes: number; deletes: number; invalid: number; missing: number; batchSize: number },
  label: string,
  shuffleSeed: number,
): ChaosInput {
  const portal = buildBenchPortal(counts.changes + counts.deletes + counts.invalid);
  const assetIds = portal.seed.assets.map((asset) => asset.id);
  const changes = changedRecords(portal, counts.changes, label);
  const deleted = assetIds.slice(counts.changes, counts.changes + counts.deletes);
  const invalid = assetIds.slice(
    counts.changes + counts.deletes,
    counts.changes + counts.deletes + counts.invalid,
  );
  const missing = Array.from(
    { length: counts.missing },
    (_, i) => `FFFF0000-0000-4000-8000${String(i).padStart(12, '0')}`,
  );
  const records: AssetItem[] = shuffled(
    [
      ...changes,
      ...deleted.map((id) => ({ asset_id: id, _isDeleted: true })),
      ...invalid.map((id) => ({
        asset_id: id,
        description: 'never written',
        campaign_name: 'no_such_campaign',
      })),
      ...missing.map((id) => ({ asset_id: id, description: 'for an asset Bynder lacks' })),
    ],
    shuffleSeed,
  );
  const batches: AssetItem[][] = [];
  for (let i = 0; i < records.length; i += counts.batchSize) {
    batches.push(records.slice(i, i + counts.batchSize));
  }
  return { portal, changes, deleted, invalid, missing, batches };
}

/** A Park-Miller generator: the same sequence in (0, 1) for the same seed, on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2_147_483_647 || 1;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

/** Deterministic shuffle, so every batch mixes changes, deletes and bad records. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const bySort = (values: unknown) => (Array.isArray(values) ? [...(values as string[])].sort() : values);

/** The portal the records describe: `changes` applied to `before`, `deleted` gone to the trash. */
export function expectedPortal(input: {
  portal: BenchPortal;
  before: readonly Media[];
  changes: readonly AssetItem[];
  deleted: readonly string[];
}): { assets: Map<string, Record<string, unknown>>; trash: Set<string> } {
  const { portal, before, changes, deleted } = input;
  const optionField = portal.optionField;
  const campaign = Object.values(portal.seed.metaproperties).find(
    (mp) => optionField && mp.name.toLowerCase() === optionField.name,
  );
  const campaignOptionIds = new Set((campaign?.options ?? []).map((option) => option.id));
  const optionIdByName = new Map((campaign?.options ?? []).map((option) => [option.name, option.id]));
  const assets = new Map<string, Record<string, unknown>>(before.map((asset) => [asset.id, { ...asset }]));
  for (const record of changes) {
    const asset = assets.get(String(record.asset_id));
    if (!asset) throw new Error(`seed lacks ${String(record.asset_id)}`);
    asset.description = record.description;
    asset.tags = String(record.tags).split(',');
    if (optionField && campaign) {
      const name = String(record[optionField.name]);
      asset[`property_${campaign.name}`] = [name];
      const kept = ((asset.propertyOptions as string[] | undefined) ?? []).filter(
        (id) => !campaignOptionIds.has(id),
      );
      asset.propertyOptions = [...kept, optionIdByName.get(name)];
    }
    if (portal.textField) asset[`property_${portal.textField.name}`] = record[portal.textField.name];
  }
  for (const id of deleted) assets.delete(id);
  return { assets, trash: new Set(deleted) };
}

/** An asset as compared: without its modification time, option ids in a stable order. */
export function comparable(asset: Record<string, unknown>): Record<string, unknown> {
  const { dateModified: _modified, propertyOptions, ...rest } = asset;
  return { ...rest, propertyOptions: bySort(propertyOptions) };
}
