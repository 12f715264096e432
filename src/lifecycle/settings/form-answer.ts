import { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import type { Credentials } from '../../lib/config';
import type { ConnectionFailure } from '../../lib/settings/connection-failure';
import type { FieldProblem } from '../../lib/settings/setting-issue';

/** The toast of a Save whose fields did not pass. */
export const NOT_SAVED = 'Nothing was saved: fix the marked fields and save again.';

/** Field errors plus one toast, so a person sees both where and that nothing was saved. */
export function answerProblems(problems: readonly FieldProblem[], summary: string): LifecycleSettingsResult {
  const result = new LifecycleSettingsResult();
  for (const problem of problems) result.addError(problem.field, problem.message);
  return result.addToast('danger', summary);
}

/** A failed connection test: the toast says what is wrong; the field at fault is marked too. */
export function answerConnectionFailure(
  failure: ConnectionFailure,
  consequence: string,
): LifecycleSettingsResult {
  const result = new LifecycleSettingsResult();
  if (failure.field) result.addError(failure.field, failure.message);
  return result.addToast('danger', `Connection test failed: ${failure.message} ${consequence}`);
}

/** How toasts name the sign-in method that was used. */
export function describeAuthMethod(kind: Credentials['kind']): string {
  return kind === 'permanent_token' ? 'the permanent token' : 'the OAuth client credentials';
}
