import { logger, resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { vi } from 'vitest';

import type { Seed, SeedAsset } from '../../dev/bynder-emulator/server';
import { BynderAssetSync } from '../../src/destinations/BynderAssetSync';
import type { AssetItem } from '../../src/lib/delivery/asset-item';

// Shared by the tests that call deliver(): a small portal whose ids every assertion can name, and
// deliver() called the way OCP calls it, configured only through the SDK's public storage.

export const TOKEN = 'deliver-test-token-5f2a91';

export const CAMPAIGN = '1A2B3C4D-1111-4A22-9B33C44D55E66F77';
export const SUMMER = '9F8E7D6C-2222-4B33-8C44D55E66F77A88';
export const WINTER = '9F8E7D6C-3333-4B33-8C44D55E66F77A88';
export const REGION = '1A2B3C4D-2222-4A22-9B33C44D55E66F77';
export const EMEA = '9F8E7D6C-4444-4B33-8C44D55E66F77A88';
export const APAC = '9F8E7D6C-5555-4B33-8C44D55E66F77A88';
export const USAGE_NOTES = '2B3C4D5E-3333-4C44-8D55E66F77A88B99';
export const EXTERNAL_ID = '2B3C4D5E-4444-4C44-8D55E66F77A88B99';

/** Asset ids in Bynder's 8-4-4-16 form; `assetId(7)` → `00000000-0000-4000-8000000000000007`. */
export function assetId(n: number): string {
  return `00000000-0000-4000-${String(n).padStart(16, '0')}`;
}

export function portalSeed(options: { assets?: number; withUsageNotes?: boolean } = {}): Seed {
  const { assets = 10, withUsageNotes = true } = options;
  const metaproperties: Seed['metaproperties'] = {
    campaign: {
      id: CAMPAIGN,
      name: 'campaign',
      label: 'Campaign',
      type: 'select',
      isMultiselect: false,
      zindex: 1,
      options: [
        { id: SUMMER, name: 'summer', label: 'Summer' },
        { id: WINTER, name: 'winter', label: 'Winter' },
      ],
    },
    region: {
      id: REGION,
      name: 'region',
      label: 'Region',
      type: 'select',
      isMultiselect: true,
      zindex: 2,
      options: [
        { id: EMEA, name: 'emea', label: 'EMEA' },
        { id: APAC, name: 'apac', label: 'APAC' },
      ],
    },
    external_id: { id: EXTERNAL_ID, name: 'external_id', label: 'External id', type: 'text', zindex: 4 },
  };
  if (withUsageNotes) {
    metaproperties.usage_notes = {
      id: USAGE_NOTES,
      name: 'usage_notes',
      label: 'Usage notes',
      type: 'longtext',
      zindex: 3,
    };
  }
  const seeded: SeedAsset[] = Array.from({ length: assets }, (_, i) => ({
    id: assetId(i + 1),
    name: `Asset ${i + 1}`,
    description: `original ${i + 1}`,
    property_external_id: `SKU-${i + 1}`,
  }));
  return { metaproperties, assets: seeded };
}

export interface DeliverySettings {
  delete_policy?: 'archive' | 'delete' | 'ignore';
  unknown_options?: 'reject' | 'drop' | 'create';
  empty_values?: 'leave' | 'clear';
  primary_key?: 'asset_id' | 'external_key';
  external_key_metaproperty?: string;
  requests_per_second?: number;
  max_in_flight?: number;
  change_detection?: 'read_first' | 'write_all';
  token?: string;
  missing_assets?: 'reject' | 'create';
  brand_id?: string;
  file_fingerprint_metaproperty?: string;
}

/** Fresh local stores holding the app's settings and secrets, as the settings form would save them. */
export async function configureApp(portalUrl: string, settings: DeliverySettings = {}): Promise<void> {
  resetLocalStores();
  BynderAssetSync.clockOverride = undefined;
  await storage.settings.put('connection', { portal: portalUrl, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: settings.token ?? TOKEN });
  await storage.settings.put('records', {
    primary_key: settings.primary_key ?? 'asset_id',
    external_key_metaproperty: settings.external_key_metaproperty ?? '',
    delete_policy: settings.delete_policy ?? 'archive',
    empty_values: settings.empty_values ?? 'leave',
    unknown_options: settings.unknown_options ?? 'reject',
    ...(settings.missing_assets ? { missing_assets: settings.missing_assets } : {}),
    ...(settings.brand_id ? { brand_id: settings.brand_id } : {}),
    ...(settings.file_fingerprint_metaproperty
      ? { file_fingerprint_metaproperty: settings.file_fingerprint_metaproperty }
      : {}),
  });
  await storage.settings.put('throughput', {
    requests_per_second: String(settings.requests_per_second ?? 15),
    max_in_flight: String(settings.max_in_flight ?? 5),
    change_detection: settings.change_detection ?? 'read_first',
  });
}

/** One batch through a new destination instance, as OCP runs it. */
export function deliver(items: unknown[], options: { attempt?: number; syncId?: string } = {}) {
  return new BynderAssetSync().deliver({
    items: items as AssetItem[],
    attempt: options.attempt ?? 1,
    sync: { id: options.syncId ?? 'sync-1', name: 'Assets to Bynder' },
  });
}

/** What the app logs at warn level, observed through the SDK's public logger. */
export function watchWarnings(): { lines: () => string[]; restore: () => void } {
  return watchLogger('warn');
}

/** What the app logs at info level (the batch report line). */
export function watchInfo(): { lines: () => string[]; restore: () => void } {
  return watchLogger('info');
}

function watchLogger(level: 'info' | 'warn'): { lines: () => string[]; restore: () => void } {
  const spy = vi.spyOn(logger, level);
  return {
    lines: () => spy.mock.calls.map((args) => args.map(String).join(' ')),
    restore: () => spy.mockRestore(),
  };
}
