import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { findBrokenLinks } from './markdown-links';
import { validateSettingsForm } from './settings-form-rules';

// Contract 5.10: paths relative to the app root (the parent of dist/).
const REQUIRED_FILES = [
  'assets/directory/overview.md',
  'assets/icon.svg',
  'assets/logo.svg',
  'forms/settings.yml',
];

function markdownFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) return markdownFiles(file);
      return entry.name.endsWith('.md') ? [file] : [];
    });
}

export function validateAssets(appRoot: string): string[] {
  const errors = REQUIRED_FILES.filter((file) => !existsSync(path.join(appRoot, file))).map(
    (file) => `Required file ${file} is missing.`,
  );
  try {
    for (const file of markdownFiles(path.join(appRoot, 'assets'))) {
      errors.push(...findBrokenLinks(appRoot, file));
    }
  } catch {
    errors.push('Failed to validate markdown files');
  }
  const form = path.join(appRoot, 'forms/settings.yml');
  if (existsSync(form)) errors.push(...validateSettingsForm(form));
  return errors;
}
