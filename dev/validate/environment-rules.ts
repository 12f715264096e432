import type { AppManifest } from './app-manifest';

// Contract 5.3.
const ENVIRONMENT_NAME = /^APP_ENV_[A-Z0-9_]+$/;

export function validateEnvironment(manifest: AppManifest): string[] {
  const names = manifest.environment ?? [];
  const errors: string[] = [];
  const ref = (name: string) => (/\s/.test(name) ? `environment["${name}"]` : `environment.${name}`);
  for (const name of names) {
    if (!ENVIRONMENT_NAME.test(name)) {
      errors.push(
        `${ref(name)} must be prefixed with "APP_ENV_" and consist of only uppercase alphanumeric and underscores`,
      );
    }
  }
  for (const name of new Set(names)) {
    if (names.filter((other) => other === name).length > 1) {
      errors.push(`${ref(name)} is listed more than once`);
    }
  }
  return errors.map((error) => `Invalid app.yml: ${error}`);
}
