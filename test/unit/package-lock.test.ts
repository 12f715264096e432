import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

// `npm ci` (CI, OCP's builder) refuses a lockfile that lacks an entry for a declared dependency. The
// registry this project builds with answers 404 for @zaiusinc/app-sdk, so `npm install` never writes
// one: the entry is kept by hand, marked optional, so `npm ci` skips the 404 and installs the rest.
// A later `npm install <pkg>` that rewrites the lockfile without it breaks CI; this test says why.

const root = path.join(__dirname, '..', '..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('package-lock.json', () => {
  it('keeps an optional entry for @zaiusinc/app-sdk at the version package.json declares', () => {
    const manifest = readJson('package.json') as { optionalDependencies?: Record<string, string> };
    const lock = readJson('package-lock.json') as {
      packages: Record<string, { version?: string; optional?: boolean }>;
    };
    const declared = manifest.optionalDependencies?.['@zaiusinc/app-sdk'];
    expect(declared).toMatch(/^3\.3\.\d+$/);
    expect(lock.packages['node_modules/@zaiusinc/app-sdk']).toEqual({ version: declared, optional: true });
  });
});
