import type { ConnectionSecrets, ConnectionSettings } from '../config';
import { parsePortalUrl } from '../portal-url';

/** Whether the stored connection (before) and the one being saved reach a different portal or user. */
export function hasConnectionChanged(
  before: { settings: Record<string, unknown>; secrets: Record<string, unknown> },
  after: { settings: ConnectionSettings; secrets: ConnectionSecrets },
): boolean {
  const portal =
    typeof before.settings.portal === 'string' ? parsePortalUrl(before.settings.portal) : undefined;
  if (!portal?.ok || portal.origin !== after.settings.portal) return true;
  if (before.settings.auth_method !== after.settings.auth_method) return true;
  return (['token', 'client_id', 'client_secret'] as const).some(
    (field) => (before.secrets[field] ?? undefined) !== after.secrets[field],
  );
}
