import type { DestinationDeliverResult } from '@zaiusinc/app-sdk';
import { storage } from '@zaiusinc/app-sdk';

import { BynderAssetSchema } from '../../src/destinations/BynderAssetSchema';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import { SECTION } from '../../src/lib/config';
import type { AssetItem } from '../../src/lib/delivery';
import { readRateLimitBlock } from '../../src/lib/delivery';
import { systemClock } from '../../src/lib/runtime-ports';
import { deliverWithRetries } from '../cli/sync/batches/deliver-with-retries';
import { DESTINATION_KEY } from '../cli/sync/mapping/destination-fields';
import { type HeapSample, sampleHeap } from './heap-slope';
import type { PortalTarget } from './naive-deliverers';

// (c) Ours: the real BynderAssetSync.deliver(), fed batches of 100 one after another, with retryable
// batches delivered again (attempt + 1, after a pause) as OCP's Sync Manager does, via the local
// runner's loop. Configuration goes in through the SDK's storage, as the settings form leaves it.

const RETRY_PAUSE_MS = 1_000;

export interface Throughput {
  requestsPerSecond: number;
  maxInFlight: number;
}

export interface OurRecordsSettings {
  delete_policy?: 'archive' | 'delete' | 'ignore';
  unknown_options?: 'reject' | 'drop';
  empty_values?: 'leave' | 'clear';
}

export interface OurTally {
  batches: number;
  attempts: number;
  failedBatches: number;
  /** The first failure reasons (a handful), for the report. */
  failures: string[];
  elapsedMs: number;
  heap: HeapSample[];
}

/** Writes the settings and secrets rows the settings form would store. */
export async function configureOurApp(
  target: PortalTarget,
  throughput: Throughput,
  records: OurRecordsSettings = {},
): Promise<void> {
  await storage.settings.put(SECTION.connection, { portal: target.url, auth_method: 'permanent_token' });
  await storage.secrets.put(SECTION.connection, { token: target.token });
  await storage.settings.put(SECTION.records, { primary_key: 'asset_id', ...records });
  await storage.settings.put(SECTION.throughput, {
    requests_per_second: throughput.requestsPerSecond,
    max_in_flight: throughput.maxInFlight,
  });
}

/**
 * What OCP does before the first batch: the Sync Manager lists the fields when the user maps them,
 * which fetches and caches the field model. Done before timing, so the timed run is the steady state.
 */
export async function warmFieldModel(): Promise<void> {
  await new BynderAssetSchema({ destinationKey: DESTINATION_KEY }).getDestinationsSchema();
}

export async function deliverOurs(
  batches: readonly AssetItem[][],
  options: { syncId?: string; sampleHeapEvery?: number; retryPauseMs?: number } = {},
): Promise<OurTally> {
  const destination = new BynderAssetSync();
  const sync = { id: options.syncId ?? 'bench-sync', name: 'Bench sync' };
  const every = options.sampleHeapEvery ?? 0;
  const tally: OurTally = { batches: 0, attempts: 0, failedBatches: 0, failures: [], elapsedMs: 0, heap: [] };
  const started = performance.now();
  for (const items of batches) {
    const { result, attempts } = await deliverWithRetries(destination, items, sync, {
      retryPauseMs: options.retryPauseMs ?? RETRY_PAUSE_MS,
      maxBlockWaitMs: 10 * 60_000,
      clock: systemClock,
      readBlockedUntil: async () => (await readRateLimitBlock(storage.kvStore, systemClock))?.blockedUntil,
    });
    tally.batches += 1;
    tally.attempts += attempts;
    noteFailure(tally, result);
    if (every > 0 && tally.batches % every === 0) tally.heap.push(sampleHeap(tally.batches));
  }
  tally.elapsedMs = performance.now() - started;
  return tally;
}

function noteFailure(tally: OurTally, result: DestinationDeliverResult): void {
  if (result.success) return;
  tally.failedBatches += 1;
  if (tally.failures.length < 3) tally.failures.push(result.failureReason ?? 'no reason given');
}
