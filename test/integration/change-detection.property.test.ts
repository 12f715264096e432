import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseMediaForm } from '../../dev/bynder-emulator/media-form';
import type { MediaView } from '../../dev/bynder-emulator/media-json';
import { PortalState } from '../../dev/bynder-emulator/state';
import type { Media, Metaproperty } from '../../src/lib/bynder/api-types';
import type { BynderApi, MediaForm } from '../../src/lib/bynder/bynder-api';
import { BynderNotFoundError } from '../../src/lib/bynder/errors';
import type { AppConfig } from '../../src/lib/config';
import { assetIdResolver } from '../../src/lib/delivery/asset-resolver';
import { detectChanges } from '../../src/lib/delivery/change-detection';
import { executePlan } from '../../src/lib/delivery/execute';
import { planBatch } from '../../src/lib/delivery/plan';
import type { FieldModel } from '../../src/lib/fields/field';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import { assetId, portalSeed } from '../helpers/deliver-fixture';
import { fakeClock } from '../helpers/fake-clock';
import { silentLogger } from '../helpers/test-loggers';

// Correctness first: with change detection on, the portal ends exactly as it ends without it, for
// random records, random portal states, and random moments at which Bynder applies earlier writes
// (so reads are stale, the case the safety window exists for). Each case is run twice on one
// in-process portal (the emulator's own state and form parser, no HTTP, so 300 cases take seconds):
// once with read_first, once with write_all, with the same batches at the same times, each write
// applied after the same delay; then both portals are compared field by field.

const ASSETS = 3;
/** Bynder applies an accepted write within this long in these cases (it applies within seconds). */
const MAX_APPLY_DELAY_MS = 60_000;
const DATE_MP = {
  id: '3C4D5E6F-5555-4D55-9E66F77A88B99C00',
  name: 'shoot_date',
  label: 'Shoot date',
  type: 'date',
};

function seed() {
  const base = portalSeed({ assets: ASSETS });
  return { ...base, metaproperties: { ...base.metaproperties, shoot_date: DATE_MP } };
}

const dates = ['2026-03-01', '2026-03-01T00:00:00Z', '2026-03-01T01:00:00+01:00', '2026-03-02'];
const fieldValues = {
  description: fc.constantFrom('a', 'b', ''),
  name: fc.constantFrom('n', 'm'),
  campaign: fc.constantFrom('summer', 'winter', 'Summer'),
  region: fc.constantFrom('emea', 'apac', 'emea,apac', 'APAC, EMEA', ''),
  tags: fc.constantFrom('x', 'x,y', 'y, x', ''),
  usage_notes: fc.constantFrom('n1', 'n2'),
  archive: fc.constantFrom(true, false, 0, '1'),
  limited: fc.constantFrom(true, false),
  date_published: fc.constantFrom(...dates),
  shoot_date: fc.constantFrom(...dates),
};
const upsert = fc.record(fieldValues, { requiredKeys: [] });
const event = fc.record({
  asset: fc.integer({ min: 1, max: ASSETS }),
  deleted: fc.boolean(),
  fields: upsert,
});
const batch = fc.record({
  events: fc.array(event, { minLength: 1, maxLength: 4 }),
  /** Time since the previous batch: within the safety window or well past it. */
  gapMs: fc.integer({ min: 0, max: 8 * 60_000 }),
  /** How long after its acceptance Bynder applies each write of this batch, per asset. */
  applyDelaysMs: fc.array(fc.integer({ min: 0, max: MAX_APPLY_DELAY_MS }), {
    minLength: ASSETS,
    maxLength: ASSETS,
  }),
});
const scenario = fc.record({
  initial: fc.array(fc.record({ asset: fc.integer({ min: 1, max: ASSETS }), fields: upsert }), {
    maxLength: 3,
  }),
  batches: fc.array(batch, { minLength: 1, maxLength: 4 }),
  deletePolicy: fc.constantFrom<AppConfig['deletePolicy']>('archive', 'delete'),
  emptyValues: fc.constantFrom<AppConfig['emptyValues']>('leave', 'clear'),
  view: fc.record({ booleansAsNumbers: fc.boolean(), textValuesAsArrays: fc.boolean() }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Bynder for one world: its state, the writes it accepted and applies later, and the API the app uses. */
function portalWorld(view: MediaView, now: () => number) {
  const state = new PortalState(now);
  state.seed(seed());
  const pending: Array<{ id: string; form: MediaForm; dueAt: number }> = [];
  const applyDue = (at: number) => {
    // In acceptance order, as Bynder applies one asset's writes: a due write takes earlier ones along.
    const last = pending.findLastIndex((write) => write.dueAt <= at);
    for (const write of pending.splice(0, last + 1)) {
      const parsed = parseMediaForm(write.form, state.taxonomy, false);
      if (parsed.ok) state.applyPatch(write.id, parsed.patch);
    }
  };
  let delays: readonly number[] = [];
  const notFound = () => new BynderNotFoundError(404, 'POST /api/v4/media/{id}/', 'Media not found');
  const api: BynderApi = {
    listMetaproperties: () => Promise.reject(new Error('not used')),
    getMedia: () => Promise.reject(new Error('not used')),
    findMediaByProperty: () => Promise.reject(new Error('not used')),
    listMediaByIds: (ids) => {
      applyDue(now());
      const found = ids.flatMap((id) => state.media(id) ?? []);
      return Promise.resolve(found.map((asset) => state.renderMedia(asset, view) as Media));
    },
    updateMedia: (id, form) => {
      if (!state.media(id)) return Promise.reject(notFound());
      const n = Number(id.slice(-2));
      pending.push({ id, form, dueAt: now() + (delays[n - 1] ?? 0) });
      return Promise.resolve();
    },
    deleteMedia: (id) => {
      applyDue(now());
      return state.deleteMedia(id) ? Promise.resolve() : Promise.reject(notFound());
    },
    testConnection: () => Promise.resolve(),
    changeMediaOptions: () => Promise.reject(new Error('not used')),
    createMetapropertyOption: () => Promise.reject(new Error('not used')),
  };
  return {
    state,
    api,
    setDelays: (next: readonly number[]) => (delays = next),
    settle: () => applyDue(Number.POSITIVE_INFINITY),
  };
}

function fieldModel(): FieldModel {
  const metaproperties = Object.values(seed().metaproperties) as unknown as Metaproperty[];
  return buildFieldModel(metaproperties, {
    primaryKey: { kind: 'asset_id' },
    logger: silentLogger,
    fetchedAt: 0,
  });
}

/**
 * Every field of every asset (and the trash) as the emulator holds it, without its own timestamps.
 * Lists (options, tags) are compared as sets, as change detection compares them: their order is
 * the order of the last write, which Bynder does not treat as meaningful.
 */
function endState(state: PortalState) {
  const { assets, trash } = state.snapshot();
  const normal = (asset: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(asset)
        .filter(([key]) => key !== 'dateModified')
        .map(([key, value]) => [key, Array.isArray(value) ? [...(value as string[])].sort() : value]),
    );
  return {
    assets: assets.map((a) => normal(a as Record<string, unknown>)),
    trash: (trash ?? []).map((a) => a.id),
  };
}

async function runWorld(s: Scenario, mode: AppConfig['changeDetection'], model: FieldModel) {
  resetLocalStores();
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const world = portalWorld(s.view, clock.now);
  const policy = {
    deletePolicy: s.deletePolicy,
    emptyValues: s.emptyValues,
    unknownOptions: 'reject' as const,
  };
  // The portal as it was before: written long ago, applied.
  const initial = planBatch(
    s.initial.map((i) => ({ asset_id: assetId(i.asset), ...i.fields })),
    model,
    policy,
  );
  for (const write of initial.writes) await world.api.updateMedia(write.key, write.form);
  world.settle();

  const outcomes: string[] = [];
  for (const [b, next] of s.batches.entries()) {
    clock.advance(next.gapMs);
    world.setDelays(next.applyDelaysMs);
    const items = next.events.map((e) =>
      e.deleted
        ? { asset_id: assetId(e.asset), _isDeleted: true }
        : { asset_id: assetId(e.asset), ...e.fields },
    );
    const plan = planBatch(items, model, policy);
    const deps = { kvStore: storage.kvStore, clock, logger: silentLogger };
    const changes = await detectChanges(plan.writes, {
      ...deps,
      api: world.api,
      resolver: assetIdResolver,
      model,
      config: { changeDetection: mode, maxInFlight: 2 },
    });
    const execution = await executePlan(changes.writes, {
      ...deps,
      api: world.api,
      resolver: assetIdResolver,
      budget: { acquire: () => Promise.resolve(), halt: () => undefined, granted: 0 },
      maxInFlight: 2,
      connection: {
        portalUrl: 'https://acme.bynder.com',
        credentials: { kind: 'permanent_token', token: 'property-token-5e2a9c71' },
      },
      beforeSend: changes.noteBeforeSend,
    });
    for (const o of [...plan.rejected, ...plan.done, ...changes.outcomes, ...execution.outcomes]) {
      outcomes.push(...o.records.map((r) => `${b}:${r}:${o.status}`));
    }
  }
  world.settle();
  return { end: endState(world.state), outcomes: outcomes.sort() };
}

describe('change detection changes nothing but the requests (property)', () => {
  const model = fieldModel();

  it('ends every portal as writing everything would, and every record the same way', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const detected = await runWorld(s, 'read_first', model);
        const written = await runWorld(s, 'write_all', model);
        expect(detected.end).toEqual(written.end);
        expect(detected.outcomes).toEqual(written.outcomes);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
