import type { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import type { SdkDeps } from '../../destinations/sdk-deps';

/** One form action of one section: the submitted values in, the answer for the form out. */
export type SettingsHandler = (
  formData: Record<string, unknown>,
  deps: SdkDeps,
) => Promise<LifecycleSettingsResult>;
