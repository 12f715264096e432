import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import { SECTION, throughputSettingsSchema } from '../../lib/config';
import { readSectionForm } from '../../lib/settings/section-form';
import { answerProblems, NOT_SAVED } from './form-answer';
import type { SettingsHandler } from './settings-handler';

/** Save of "Throughput": two bounded whole numbers; deliver() reads them at its next batch. */
export const saveThroughput: SettingsHandler = async (formData, deps) => {
  const read = readSectionForm(throughputSettingsSchema, formData);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const { requests_per_second: perSecond, max_in_flight: inFlight } = read.values;
  await deps.settings.put(SECTION.throughput, { ...read.values });
  deps.logger.info(`Settings: throughput saved (${perSecond} requests/s, ${inFlight} in flight)`);
  return new LifecycleSettingsResult().addToast(
    'success',
    `Saved: at most ${perSecond} requests per second and ${inFlight} in flight, from the next batch on.`,
  );
};
