import { EXTERNAL_KEY_CACHE_KEY } from '../delivery/asset-resolver';
import { RATE_LIMIT_BLOCK_KEY } from '../delivery/rate-limit-block';
import { READINESS_KEY } from '../delivery/readiness';
import { REJECTION_LOG_KEY } from '../delivery/rejection-log';
import { FIELD_NAME_PINS_KEY } from '../fields/field-name-pins';
import { METAPROPERTY_CACHE_KEY } from '../fields/metaproperty-cache';
import type { KeyValueStore, Logger } from '../runtime-ports';

// The kvStore has no "list keys" operation, so uninstall can remove only rows whose keys are known.
// Each part that writes a fixed row exports its key; this list gathers them. Rows written under
// computed keys must carry a TTL instead: the applied ledger (`delivery_ledger_<hash>`, see
// src/lib/delivery/ledger.ts) does.

/** Every fixed kvStore key the app writes, with its owner. */
export const APP_KV_ROWS: ReadonlyArray<{ key: string; holds: string }> = [
  {
    key: METAPROPERTY_CACHE_KEY,
    holds: 'cached metaproperties behind the field model (src/lib/fields/metaproperty-cache.ts)',
  },
  {
    key: FIELD_NAME_PINS_KEY,
    holds:
      'field name of every metaproperty ever offered, never reassigned (src/lib/fields/field-name-pins.ts)',
  },
  { key: RATE_LIMIT_BLOCK_KEY, holds: "Bynder's rate-limit block (src/lib/delivery/rate-limit-block.ts)" },
  {
    key: EXTERNAL_KEY_CACHE_KEY,
    holds: 'external key to asset id cache (src/lib/delivery/asset-resolver.ts)',
  },
  { key: READINESS_KEY, holds: "ready()'s answer, kept a minute (src/lib/delivery/readiness.ts)" },
  {
    key: REJECTION_LOG_KEY,
    holds: 'the latest rejected records, bounded (src/lib/delivery/rejection-log.ts)',
  },
];

/** Deletes every known row; a failed delete is logged and named, the rest still go. */
export async function deleteAppKvRows(kvStore: KeyValueStore, logger: Logger): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  for (const { key } of APP_KV_ROWS) {
    try {
      await kvStore.delete(key);
    } catch (error) {
      failed.push(key);
      logger.warn(
        `Could not delete kvStore row ${key}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { failed };
}
