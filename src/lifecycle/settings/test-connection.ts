import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import { SECTION } from '../../lib/config';
import { checkConnection } from '../../lib/settings/check-connection';
import { readConnectionForm } from '../../lib/settings/connection-form';
import { answerConnectionFailure, answerProblems, describeAuthMethod } from './form-answer';
import type { SettingsHandler } from './settings-handler';

/** The "Test connection" button: tests the values on screen (stored secrets fill empty fields); saves nothing. */
export const testConnection: SettingsHandler = async (formData, deps) => {
  const read = readConnectionForm(formData, await deps.secrets.get(SECTION.connection));
  if (!read.ok) return answerProblems(read.problems, 'Fix the marked fields, then test again.');
  const { settings, credentials } = read.form;
  const check = await checkConnection({ portalUrl: settings.portal, credentials }, deps.logger);
  if (!check.ok) return answerConnectionFailure(check.failure, 'Nothing was saved.');
  return new LifecycleSettingsResult().addToast(
    'success',
    `Connected to ${settings.portal} with ${describeAuthMethod(credentials.kind)}. Nothing is saved yet: press Save to keep these settings.`,
  );
};
