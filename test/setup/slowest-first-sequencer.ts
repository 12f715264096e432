import path from 'node:path';

import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Roughly how long each slow test file takes on a quiet 2-core machine, in seconds (tests and
 * hooks, from the summary `npm test` prints; see CONTRIBUTING.md, "How long the tests take"). Only
 * the order matters: the longest files start first, so the run does not end waiting on one that
 * started last. A file missing here runs after these, in vitest's own order.
 */
export const KNOWN_SLOW_FILES: Readonly<Record<string, number>> = {
  'test/e2e/ui-browser.test.ts': 60,
  'test/integration/chaos-workers.test.ts': 45,
  'test/e2e/sync-cli.test.ts': 40,
  'test/integration/security-cli.test.ts': 35,
  'test/integration/workers-request-budget.test.ts': 30,
  'test/e2e/sync-cli-change-detection.test.ts': 30,
  'test/integration/chaos.test.ts': 25,
  'test/integration/validate.test.ts': 20,
  'test/e2e/sync-cli-portal.test.ts': 12,
  'test/integration/deliver-retry-aid.test.ts': 12,
  'test/integration/security-secrets.test.ts': 8,
  'test/integration/change-detection.property.test.ts': 6,
  'test/integration/deliver-request-budget.test.ts': 6,
  'test/integration/deliver-faults.test.ts': 5,
  'test/integration/deliver-change-detection.test.ts': 5,
};

/** Longest known files first; the rest after them in vitest's order (its cache, then file size). */
export class SlowestFirstSequencer extends BaseSequencer {
  public override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const inVitestOrder = await super.sort(files);
    const known = (spec: TestSpecification) =>
      KNOWN_SLOW_FILES[path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/')] ?? 0;
    // Array.prototype.sort is stable: files of equal weight keep vitest's order.
    return inVitestOrder.sort((a, b) => known(b) - known(a));
  }
}
