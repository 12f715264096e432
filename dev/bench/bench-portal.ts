import path from 'node:path';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import type { AssetItem } from '../../src/lib/delivery';
import type { Field, FieldModel } from '../../src/lib/fields/field';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import type { Logger } from '../../src/lib/runtime-ports';
import { loadSeed, type Seed, type SeedAsset, type SeedOption } from '../bynder-emulator/seed';

// The portal the bench (and the chaos and hostile-input suites) run against: the demo portal
// (examples/portal.json), its assets cloned until there are enough, and one changed record per
// asset in OCP's shape (field name → value), built from the same field model deliver() uses.

export const EXAMPLE_PORTAL = path.join(__dirname, '../../examples/portal.json');

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface BenchPortal {
  seed: Seed;
  model: FieldModel;
  /** One option metaproperty field (single select) the records change, when the portal has one. */
  optionField: (Field & { options: readonly string[] }) | undefined;
  /** One text metaproperty field the records change, when the portal has one. */
  textField: Field | undefined;
}

/** A Bynder-looking id (hex groups with dashes) that no seed uses: `BE7C0000-0000-4000-8000000000000001`. */
export function benchAssetId(index: number): string {
  const hex = index.toString(16).toUpperCase();
  return `BE7C${hex.padStart(4, '0').slice(-4)}-0000-4000-8000${hex.padStart(12, '0')}`;
}

/** The demo portal with at least `assetCount` assets: seeded ones first, then clones of them with bench ids. */
export function buildBenchPortal(
  assetCount: number,
  seedSource: Seed | string = EXAMPLE_PORTAL,
): BenchPortal {
  const base = loadSeed(seedSource);
  if (base.assets.length === 0) {
    throw new Error('The bench portal needs a seed with at least one asset to clone');
  }
  const assets: SeedAsset[] = [...base.assets];
  for (let i = assets.length; i < assetCount; i += 1) {
    const template = base.assets[i % base.assets.length] as SeedAsset;
    assets.push({ ...structuredClone(template), id: benchAssetId(i), name: `Bench asset ${i}` });
  }
  const seed: Seed = { ...base, assets };
  const metaproperties = Object.values(seed.metaproperties) as unknown as Metaproperty[];
  const model = buildFieldModel(metaproperties, {
    primaryKey: { kind: 'asset_id' },
    logger: silentLogger,
    fetchedAt: Date.now(),
  });
  return { seed, model, optionField: findOptionField(model, seed), textField: findTextField(model) };
}

function isSelectable(option: SeedOption): boolean {
  const off = (flag: unknown) => flag === false || flag === 0;
  return !off(option.isSelectable) && !off(option.active);
}

function findOptionField(model: FieldModel, seed: Seed): BenchPortal['optionField'] {
  for (const field of model.fields) {
    const target = field.target;
    if (target.kind !== 'metaproperty' || target.multiple || target.optionCount < 2) continue;
    const mp = Object.values(seed.metaproperties).find((candidate) => candidate.id === target.id);
    const options = (mp?.options ?? []).filter(isSelectable).map((option) => option.name);
    if (options.length >= 2) return { ...field, options };
  }
  return undefined;
}

function findTextField(model: FieldModel): Field | undefined {
  return model.fields.find(
    (field) => field.target.kind === 'metaproperty' && field.target.type.toLowerCase() === 'text',
  );
}

/**
 * One changed record per asset (the first `count` assets): see changedRecord. Every record differs
 * from the seed, so each is a changed asset.
 */
export function changedRecords(portal: BenchPortal, count: number, runLabel = 'bench'): AssetItem[] {
  if (count > portal.seed.assets.length) {
    throw new RangeError(`only ${portal.seed.assets.length} assets to change, asked for ${count}`);
  }
  return portal.seed.assets.slice(0, count).map((asset, i) => changedRecord(portal, asset.id, i, runLabel));
}

/** A new description and tags, and, when the portal has them, an option and a text metaproperty. */
export function changedRecord(
  portal: BenchPortal,
  assetId: string,
  i: number,
  runLabel = 'bench',
): AssetItem {
  const { optionField, textField } = portal;
  const record: AssetItem = {
    [portal.model.primary.name]: assetId,
    description: `${runLabel} change ${i}: new copy for the spring campaign`,
    tags: `${runLabel},batch-${Math.floor(i / 100)}`,
  };
  if (optionField) record[optionField.name] = optionField.options[i % optionField.options.length];
  if (textField) record[textField.name] = `${runLabel} text ${i}`;
  return record;
}
