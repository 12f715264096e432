import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import { MISSING_EXTERNAL_KEY_MESSAGE, recordsSettingsSchema, SECTION } from '../../lib/config';
import { readSectionForm } from '../../lib/settings/section-form';
import type { FieldProblem } from '../../lib/settings/setting-issue';
import { checkExternalKey } from './check-external-key';
import { answerProblems, NOT_SAVED } from './form-answer';
import type { SettingsHandler } from './settings-handler';

/** Save of "Records": the write policy, and in external-key mode a metaproperty Bynder really has. */
export const saveRecords: SettingsHandler = async (formData, deps) => {
  const read = readSectionForm(recordsSettingsSchema, formData);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const { external_key_metaproperty: metaproperty, ...policy } = read.values;
  const byExternalKey = policy.primary_key === 'external_key';
  if (byExternalKey && !metaproperty) {
    return answerProblems(
      [{ field: 'external_key_metaproperty', message: MISSING_EXTERNAL_KEY_MESSAGE }],
      NOT_SAVED,
    );
  }

  let warning: string | undefined;
  if (byExternalKey && metaproperty) {
    const check = await checkExternalKey(metaproperty, deps);
    if (check.kind === 'problem') {
      const problem: FieldProblem = { field: 'external_key_metaproperty', message: check.message };
      return answerProblems([problem], NOT_SAVED);
    }
    if (check.kind === 'unchecked') warning = check.message;
  }

  // The metaproperty is stored only while it is used, so a stale name cannot resurface later.
  const row = byExternalKey ? { ...policy, external_key_metaproperty: metaproperty } : policy;
  await deps.settings.put(SECTION.records, row);
  deps.logger.info(`Settings: records saved (${JSON.stringify(row)})`);
  const matchBy = byExternalKey ? `the text metaproperty "${metaproperty}"` : 'Bynder asset id';
  const result = new LifecycleSettingsResult().addToast(
    'success',
    `Saved: records match assets by ${matchBy}; deletes ${policy.delete_policy === 'ignore' ? 'are ignored' : `${policy.delete_policy} the asset`}; empty values ${policy.empty_values === 'leave' ? 'leave Bynder unchanged' : 'clear the Bynder value'}; unknown option values ${policy.unknown_options === 'reject' ? 'reject the record' : 'are dropped'}.`,
  );
  return warning ? result.addToast('warning', warning) : result;
};
