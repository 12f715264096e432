import type { ConnectionSecrets, ConnectionSettings } from '../config';
import { invalidateFieldModel } from '../fields/get-field-model';
import { KV_ROWS } from '../state/kv-rows';
import { parsePortalUrl } from '../portal-url';
import { CREDENTIAL_FIELDS } from '../secret-values';
import type { KeyValueStore } from '../runtime-ports';

// A saved connection that reaches another portal or user must not serve the old one's fields or ids.

/** Whether the stored connection (before) and the one being saved reach a different portal or user. */
export function hasConnectionChanged(
  before: { settings: Record<string, unknown>; secrets: Record<string, unknown> },
  after: { settings: ConnectionSettings; secrets: ConnectionSecrets },
): boolean {
  const portal =
    typeof before.settings.portal === 'string' ? parsePortalUrl(before.settings.portal) : undefined;
  if (!portal?.ok || portal.origin !== after.settings.portal) return true;
  if (before.settings.auth_method !== after.settings.auth_method) return true;
  return CREDENTIAL_FIELDS.some((field) => (before.secrets[field] ?? undefined) !== after.secrets[field]);
}

/**
 * Drops what the app remembers about a portal: the field model (metaproperties) and the external
 * key to asset id cache. Called when the portal or the credentials change (and on upgrade), so the
 * mapping and deliveries read the new portal instead of serving the old one's fields and ids. A
 * changed external key metaproperty needs no call: that cache row names its metaproperty.
 */
export async function forgetBynderCaches(kvStore: KeyValueStore): Promise<void> {
  await invalidateFieldModel(kvStore);
  await kvStore.delete(KV_ROWS.externalKeys.key);
}
