import { EXTERNAL_KEY_CACHE_KEY } from '../delivery/asset-resolver';
import { invalidateFieldModel } from '../fields/get-field-model';
import type { KeyValueStore } from '../runtime-ports';

/**
 * Drops what the app remembers about a portal: the field model (metaproperties) and the external
 * key to asset id cache. Called when the portal or the credentials change (and on upgrade), so the
 * mapping and deliveries read the new portal instead of serving the old one's fields and ids. A
 * changed external key metaproperty needs no call: that cache row names its metaproperty.
 */
export async function forgetBynderCaches(kvStore: KeyValueStore): Promise<void> {
  await invalidateFieldModel(kvStore);
  await kvStore.delete(EXTERNAL_KEY_CACHE_KEY);
}
