import path from 'node:path';

import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * How long each slow test file took (tests and hooks, in seconds, as the summary of `npm test` and
 * TEST_RUN_SUMMARY_FILE report them; see CONTRIBUTING.md, "How long the tests take"), measured on a
 * busy 2-core machine, where every figure is inflated but the order holds. Only the order matters:
 * the longest files start first, so the run does not end waiting on one that started last. A file
 * missing here runs after these, in vitest's own order.
 */
export const KNOWN_SLOW_FILES: Readonly<Record<string, number>> = {
  'test/integration/chaos-workers.test.ts': 174,
  'test/e2e/sync-cli-change-detection.test.ts': 165,
  'test/e2e/ui-browser.test.ts': 143,
  'test/e2e/sync-cli.test.ts': 130,
  'test/integration/security-cli.test.ts': 125,
  'test/integration/chaos.test.ts': 123,
  'test/integration/validate.test.ts': 92,
  'test/integration/workers-request-budget.test.ts': 86,
  'test/integration/hostile-input.test.ts': 47,
  'test/integration/deliver-request-budget.test.ts': 32,
  'test/e2e/sync-cli-portal.test.ts': 30,
  'test/integration/security-secrets.test.ts': 28,
  'test/integration/deliver-retry-aid.test.ts': 17,
  'test/integration/change-detection.property.test.ts': 16,
  'test/e2e/npm-test-script.test.ts': 15,
  'test/integration/deliver-outbox.test.ts': 13,
  'test/integration/deliver-faults.test.ts': 13,
  'test/integration/deliver-concurrency.test.ts': 12,
  'test/integration/deliver-external-key.test.ts': 11,
  'test/integration/bynder-upload-faults.test.ts': 10,
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
