import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import { SECTION } from '../../lib/config';
import { checkConnection } from '../../lib/settings/check-connection';
import { hasConnectionChanged } from '../../lib/settings/connection-change';
import { readConnectionForm } from '../../lib/settings/connection-form';
import { forgetBynderCaches } from '../../lib/settings/forget-bynder-caches';
import { SETTING_LABELS } from '../../lib/settings/setting-issue';
import { answerConnectionFailure, answerProblems, describeAuthMethod, NOT_SAVED } from './form-answer';
import type { SettingsHandler } from './settings-handler';

/**
 * Save of "Connect to Bynder": validate, test (one request; two with OAuth), and only then store the
 * portal and method in settings and the credentials in secrets. A changed connection drops the
 * cached metaproperties and external keys, so the mapping and deliveries read the new portal.
 */
export const saveConnection: SettingsHandler = async (formData, deps) => {
  const storedSecrets = await deps.secrets.get(SECTION.connection);
  const read = readConnectionForm(formData, storedSecrets);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const { settings, secrets, credentials, keptStored } = read.form;

  const check = await checkConnection({ portalUrl: settings.portal, credentials }, deps.logger);
  if (!check.ok) return answerConnectionFailure(check.failure, 'Nothing was saved.');

  const [storedSettings, storedRecords] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.settings.get(SECTION.records),
  ]);
  const changed = hasConnectionChanged(
    { settings: storedSettings, secrets: storedSecrets },
    { settings, secrets },
  );
  await deps.secrets.put(SECTION.connection, { ...secrets });
  await deps.settings.put(SECTION.connection, { ...settings });
  if (changed) await forgetBynderCaches(deps.kvStore);
  deps.logger.info(
    `Settings: connection saved (${settings.portal}, ${settings.auth_method})${changed ? '; cached Bynder data dropped' : ''}`,
  );

  const kept =
    keptStored.length > 0
      ? ` Kept the stored ${keptStored.map((f) => SETTING_LABELS[f] ?? f).join(' and ')}.`
      : '';
  const result = new LifecycleSettingsResult().addToast(
    'success',
    `Connected to ${settings.portal} with ${describeAuthMethod(credentials.kind)} and saved.${kept}`,
  );
  // First connection: lead on to the choices about how records are written.
  return Object.keys(storedRecords).length === 0 ? result.redirectToSettings(SECTION.records) : result;
};
