import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse } from 'yaml';

import type { AppManifest } from './app-manifest';
import { MANIFEST_SHAPE } from './app-manifest';
import { createAppLoader } from './app-loader';
import { validateAssets } from './asset-rules';
import { validateDestinations, validateStaticDestinationSchemas } from './destination-rules';
import { validateEnvironment } from './environment-rules';
import { checkShape, formatShapeError } from './json-shape';
import { validateJobs } from './job-rules';
import { validateLifecycle } from './lifecycle-rules';
import { validateMeta } from './meta-rules';
import { validateOutboundDomains } from './outbound-domain-rules';

/** How the SDK words a validation that could not run (e.g. no build); it reports nothing else then. */
const PROCESS_FAILED = 'Validation process failed: ';

export interface ValidationResult {
  success: boolean;
  errors: string[];
}

/**
 * What `ocp-app-sdk validate` checks (contract section 5), for the sections this app uses. Reads
 * `<appRoot>/dist` (build first) and the assets and forms under `<appRoot>`.
 */
export function validateApp(appRoot: string): ValidationResult {
  try {
    const errors = collectErrors(path.resolve(appRoot));
    return { success: errors.length === 0, errors };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { success: false, errors: [`${PROCESS_FAILED}${message}`] };
  }
}

function collectErrors(appRoot: string): string[] {
  const distDir = path.join(appRoot, 'dist');
  const manifest: unknown = parse(readFileSync(path.join(distDir, 'app.yml'), 'utf8'));
  const errors: string[] = [];
  const shapeErrors = checkShape(manifest, MANIFEST_SHAPE);
  if (shapeErrors.length > 0) {
    // As in the SDK: a manifest that fails its JSON schema gets no further per-section checks.
    errors.push(...shapeErrors.map((error) => formatShapeError('app.yml', error)));
  } else {
    const app = manifest as AppManifest;
    const loader = createAppLoader(distDir);
    errors.push(
      ...validateMeta(app),
      ...validateEnvironment(app),
      ...validateJobs(app, loader),
      ...validateDestinations(app, distDir, loader),
      ...validateLifecycle(loader),
      ...validateAssets(appRoot),
      ...validateOutboundDomains(app),
    );
  }
  const hasDestinations = typeof manifest === 'object' && manifest !== null && 'destinations' in manifest;
  if (hasDestinations) errors.push(...validateStaticDestinationSchemas(distDir));
  return errors;
}

/**
 * The SDK's console report: "Looks good to me", the list under "Validation failed:", or, when the
 * validation could not run, its one "Validation process failed: ..." line alone.
 */
export function formatValidationReport(result: ValidationResult): string {
  if (result.success) return 'Looks good to me\n';
  const [only] = result.errors;
  if (result.errors.length === 1 && only?.startsWith(PROCESS_FAILED)) return `${only}\n`;
  return `Validation failed:\n${result.errors.map((error) => ` * ${error}\n`).join('')}`;
}
