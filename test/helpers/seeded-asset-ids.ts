import type { RunningEmulator } from '../../dev/bynder-emulator/server';

/**
 * The seeded assets' ids, in seed order, read on first use: snapshot() copies the whole portal, so
 * a test file reads them once. Call after the emulator has started (inside a test or hook).
 */
export function seededAssetIds(emulator: RunningEmulator): (index: number) => string {
  let ids: string[] | undefined;
  return (index) => (ids ??= emulator.snapshot().assets.map((asset) => asset.id))[index] ?? '';
}
