import { type AppConfig, ConfigError, parseConfig, SECTION } from '../../lib/config';
import type { SdkDeps } from '../../destinations/sdk-deps';
import { getFieldModel } from '../../lib/fields/get-field-model';
import { createFormClient } from '../../lib/settings/check-connection';
import { findExternalKeyProblem, metapropertyFactsOf } from '../../lib/settings/external-key-check';

export type ExternalKeyCheck =
  | { kind: 'ok' }
  | { kind: 'problem'; message: string }
  /** Bynder could not be asked (no connection saved, portal down): saved with this warning. */
  | { kind: 'unchecked'; message: string };

/**
 * Checks the external key metaproperty against the portal's metaproperties, through the field
 * model cache (no request when a fresh copy exists; otherwise the listing also warms the cache for
 * the mapping screen).
 */
export async function checkExternalKey(name: string, deps: SdkDeps): Promise<ExternalKeyCheck> {
  const [connection, secrets] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.secrets.get(SECTION.connection),
  ]);
  let config: AppConfig;
  try {
    // Only the connection matters here; records and throughput take their defaults, so the model
    // is built by asset id, whatever key is being saved.
    config = parseConfig({ connection, secrets, records: {}, throughput: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      kind: 'unchecked',
      message: `Saved without checking "${name}" in Bynder, because the connection is not saved yet. Save "Connect to Bynder", then save this section again to check it.`,
    };
  }
  try {
    const model = await getFieldModel({
      config,
      api: createFormClient(config, deps.logger),
      kvStore: deps.kvStore,
      logger: deps.logger,
      clock: deps.clock,
    });
    const problem = findExternalKeyProblem(name, metapropertyFactsOf(model), model.leftOut);
    return problem ? { kind: 'problem', message: problem } : { kind: 'ok' };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    deps.logger.warn(`Settings: could not check external key metaproperty "${name}": ${why}`);
    return {
      kind: 'unchecked',
      message: `Saved without checking "${name}", because Bynder's metaproperties could not be read (${why}). Save again later to check it.`,
    };
  }
}
