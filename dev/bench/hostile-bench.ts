import { performance } from 'node:perf_hooks';

import { DEFAULTS } from '../../src/lib/config';
import { storage } from '@zaiusinc/app-sdk';

import { createPacedClient, planBatch, type PlanPolicy } from '../../src/lib/delivery';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import { portalOriginOf } from '../../src/lib/portal-url';
import type { Logger } from '../../src/lib/runtime-ports';
import { systemClock } from '../../src/lib/runtime-ports';
import { type Seed, startEmulator } from '../bynder-emulator/server';

// `npm run bench -- --hostile`: what hostile input costs, measured side by side in one run.
// - Replay: many events for one key, planned (no network). 50,000 vs 5,000 events: a linear replay
//   gives a ratio near 10; the old one copied the record list per event, so the ratio was near 100.
// - Field model: a portal with many select metaproperties, listed through the request budget
//   against the emulator with latency: the requests and seconds before the first write can go out.

export interface HostileBenchOptions {
  /** Events for one key in the small and the large run (the ratio compares them). */
  smallEvents: number;
  largeEvents: number;
  /** Select metaproperties on the portal, and options each. */
  selectMetaproperties: number;
  optionsEach: number;
  /** Mean emulator latency per request (±20 %, as the delivery bench). */
  latencyMs: number;
  progress: (line: string) => void;
}

export const DEFAULT_HOSTILE_OPTIONS: Omit<HostileBenchOptions, 'progress'> = {
  smallEvents: 5_000,
  largeEvents: 50_000,
  selectMetaproperties: 300,
  optionsEach: 20,
  latencyMs: 150,
};

export interface HostileFigures {
  replay: { smallEvents: number; largeEvents: number; smallMs: number; largeMs: number; ratio: number };
  fieldModel: {
    selectMetaproperties: number;
    optionsEach: number;
    latencyMs: number;
    requestsPerSecond: number;
    requests: number;
    seconds: number;
  };
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const POLICY: PlanPolicy = { deletePolicy: 'archive', emptyValues: 'leave', unknownOptions: 'reject' };
const KEY = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';

function eventsForOneKey(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({ asset_id: KEY, description: `v${i}`, tags: ['a', 'b'] }));
}

/** The best of `rounds` timings of planning `items`, in ms (the best is the least disturbed). */
function planMs(items: unknown[], rounds: number): number {
  const model = buildFieldModel([], { primaryKey: { kind: 'asset_id' }, logger: silent, fetchedAt: 0 });
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    planBatch(items, model, POLICY);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function measureReplay(options: HostileBenchOptions): HostileFigures['replay'] {
  const small = eventsForOneKey(options.smallEvents);
  const large = eventsForOneKey(options.largeEvents);
  planMs(small, 2); // warm-up: compiled validators, JIT
  // Interleaved, so both sizes see the same machine load.
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round += 1) {
    smallMs = Math.min(smallMs, planMs(small, 3));
    largeMs = Math.min(largeMs, planMs(large, 1));
  }
  return { smallEvents: small.length, largeEvents: large.length, smallMs, largeMs, ratio: largeMs / smallMs };
}

function selectPortal(count: number, optionsEach: number): Seed {
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  const metaproperties: Seed['metaproperties'] = {};
  for (let m = 0; m < count; m += 1) {
    metaproperties[`select_${m}`] = {
      id: `5E1EC700-${hex(m, 4)}-4000-8000-000000000000`,
      name: `select_${m}`,
      label: `Select ${m}`,
      type: 'select',
      isMultiselect: m % 2 === 0,
      zindex: m,
      options: Array.from({ length: optionsEach }, (_, o) => ({
        id: `0B7100E0-${hex(m, 4)}-4000-8000-${hex(o, 12)}`,
        name: `option_${o}`,
        label: `Option ${o}`,
      })),
    };
  }
  return { metaproperties, assets: [] };
}

async function measureFieldModel(options: HostileBenchOptions): Promise<HostileFigures['fieldModel']> {
  const emulator = await startEmulator({
    seed: selectPortal(options.selectMetaproperties, options.optionsEach),
    rateLimit: false,
    latency: { ms: options.latencyMs * 0.8, jitterMs: options.latencyMs * 0.4 },
  });
  try {
    const requestsPerSecond = DEFAULTS.requestsPerSecond;
    const { api } = createPacedClient(
      {
        portalUrl: portalOriginOf(emulator.url),
        credentials: { kind: 'permanent_token', token: emulator.token },
        requestsPerSecond,
      },
      { logger: silent, clock: systemClock, kvStore: storage.kvStore },
    );
    const started = performance.now();
    const listed = (await api.listMetaproperties()).metaproperties;
    const seconds = (performance.now() - started) / 1000;
    // The cost counts only if the answer is complete: every option of every metaproperty.
    const listedOptions = listed.reduce((sum, metaproperty) => sum + (metaproperty.options?.length ?? 0), 0);
    const expected = options.selectMetaproperties * options.optionsEach;
    if (listedOptions !== expected) throw new Error(`listed ${listedOptions} options, expected ${expected}`);
    return {
      selectMetaproperties: listed.length,
      optionsEach: options.optionsEach,
      latencyMs: options.latencyMs,
      requestsPerSecond,
      requests: emulator.requests().length,
      seconds,
    };
  } finally {
    await emulator.stop();
  }
}

export async function runHostileBench(options: HostileBenchOptions): Promise<HostileFigures> {
  options.progress(`replay: ${options.smallEvents} vs ${options.largeEvents} events for one key`);
  const replay = measureReplay(options);
  options.progress(
    `field model: ${options.selectMetaproperties} select metaproperties × ${options.optionsEach} options, ${options.latencyMs} ms latency`,
  );
  const fieldModel = await measureFieldModel(options);
  return { replay, fieldModel };
}

export function renderHostileTable(figures: HostileFigures): string {
  const { replay, fieldModel } = figures;
  return [
    'Hostile input (npm run bench -- --hostile)',
    `  replay, one key: ${replay.smallEvents.toLocaleString('en-US')} events ${replay.smallMs.toFixed(0)} ms, ` +
      `${replay.largeEvents.toLocaleString('en-US')} events ${replay.largeMs.toFixed(0)} ms: ratio ${replay.ratio.toFixed(1)} ` +
      `(linear: ${(replay.largeEvents / replay.smallEvents).toFixed(0)})`,
    `  field model: ${fieldModel.selectMetaproperties} select metaproperties × ${fieldModel.optionsEach} options, ` +
      `${fieldModel.latencyMs} ms latency, budget ${fieldModel.requestsPerSecond}/s: ` +
      `${fieldModel.requests} requests, ${fieldModel.seconds.toFixed(1)} s`,
  ].join('\n');
}
