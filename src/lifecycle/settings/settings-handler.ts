import type { LifecycleSettingsResult } from '@zaiusinc/app-sdk';

import type { SdkDeps } from '../../destinations/sdk-deps';

/** One form action of one section: the submitted values in, the answer for the form out. */
export type SettingsHandler = (
  formData: Record<string, unknown>,
  deps: SdkDeps,
) => Promise<LifecycleSettingsResult>;

export function describeAuthMethod(kind: 'permanent_token' | 'oauth_client_credentials'): string {
  return kind === 'permanent_token' ? 'the permanent token' : 'the OAuth client credentials';
}
