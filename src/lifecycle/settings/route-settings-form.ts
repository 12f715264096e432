import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import type { SdkDeps } from '../../destinations/sdk-deps';
import { SECTION } from '../../lib/config';
import { saveConnection } from './save-connection';
import { saveRecords } from './save-records';
import { saveThroughput } from './save-throughput';
import type { SettingsHandler } from './settings-handler';
import { testConnection } from './test-connection';

/** Section key → action → handler. `save` is the section's own Save button. */
const HANDLERS: Readonly<Record<string, Readonly<Record<string, SettingsHandler>>>> = {
  [SECTION.connection]: { save: saveConnection, test_connection: testConnection },
  [SECTION.records]: { save: saveRecords },
  [SECTION.throughput]: { save: saveThroughput },
};

export async function routeSettingsForm(
  section: string,
  action: string,
  formData: Record<string, unknown>,
  deps: SdkDeps,
): Promise<LifecycleSettingsResult> {
  const actions = Object.hasOwn(HANDLERS, section) ? HANDLERS[section] : undefined;
  const handler = actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (!handler) {
    deps.logger.warn(`Settings: no handler for section "${section}", action "${action}"`);
    return new LifecycleSettingsResult().addToast(
      'danger',
      `This version of the app does not handle "${action}" in section "${section}". Reload the settings page; if it persists, reinstall the app.`,
    );
  }
  return handler(formData, deps);
}
