import type { AppLoader } from './app-loader';
import { describeLoadError, extendsClass, hasMethod, namedExport } from './app-loader';

// Contract 5.9: always runs; the class is always `lifecycle/Lifecycle`, exported as `Lifecycle`.
const REQUIRED_METHODS = [
  'onInstall',
  'onSettingsForm',
  'onUpgrade',
  'onFinalizeUpgrade',
  'onUninstall',
  'onAuthorizationRequest',
  'onAuthorizationGrant',
];

export function validateLifecycle(loader: AppLoader): string[] {
  let lifecycle: unknown;
  try {
    lifecycle = namedExport(loader.load('lifecycle/Lifecycle'), 'Lifecycle');
  } catch (error) {
    return [`Error loading Lifecycle implementation. ${describeLoadError(error)}`];
  }
  if (lifecycle === undefined) return ['Error loading Lifecycle implementation. null'];
  const errors: string[] = [];
  if (!extendsClass(lifecycle, loader.sdk.Lifecycle)) {
    errors.push('Lifecycle implementation does not extend App.Lifecycle');
  }
  for (const method of REQUIRED_METHODS) {
    if (!hasMethod(lifecycle, method)) {
      errors.push(`Lifecycle implementation is missing the ${method} method`);
    }
  }
  return errors;
}
