import { storage } from '@zaiusinc/app-sdk';

import { Lifecycle } from '../../../../src/lifecycle/Lifecycle';
import type { AppConfig } from '../../../../src/lib/config';
import { loadConfig } from '../../../../src/lib/config';
import type { FormSection, SectionValues } from './settings-input';
import { FORM_SECTIONS } from './settings-input';

/** The settings form answered with field errors or a danger toast; the messages say what to fix. */
export class SettingsRejectedError extends Error {
  public override name = 'SettingsRejectedError';
}

export interface SavedSettings {
  config: AppConfig;
  /** Toasts the form showed (info, success, warning), as `intent: message`. */
  notes: string[];
}

/**
 * Saves each form section through the app's own `Lifecycle.onSettingsForm(section, 'save', data)`, in
 * form order, exactly as OCP does when an admin presses Save; then loads the stored config the way
 * deliver() will. Stops at the first section the form refuses.
 */
export async function saveSettings(
  values: SectionValues,
  credentials: Record<string, string>,
): Promise<SavedSettings> {
  const lifecycle = new Lifecycle();
  const notes: string[] = [];
  for (const section of FORM_SECTIONS) {
    const data = section === 'connection' ? { ...values.connection, ...credentials } : values[section];
    const response = (await lifecycle.onSettingsForm(section, 'save', data)).getResponse(section);
    const problems = Object.entries(response.errors ?? {}).flatMap(([ref, messages]) =>
      messages.map((m) => `${ref}: ${m}`),
    );
    const toasts = response.toasts ?? [];
    problems.push(...toasts.filter((t) => t.intent === 'danger').map((t) => t.message));
    notes.push(...toasts.filter((t) => t.intent !== 'danger').map((t) => `${section}: ${t.message}`));
    if (problems.length > 0) throw new SettingsRejectedError(describeRefusal(section, problems));
  }
  return { config: await loadConfig({ settings: storage.settings, secrets: storage.secrets }), notes };
}

function describeRefusal(section: FormSection, problems: string[]): string {
  return [`The settings form refused the "${section}" section:`, ...problems.map((p) => `  - ${p}`)].join(
    '\n',
  );
}
