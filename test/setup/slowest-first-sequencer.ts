import path from 'node:path';

import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * How long each slow test file took (tests and hooks, in seconds, as the summary of `npm test` and
 * TEST_RUN_SUMMARY_FILE report them; see CONTRIBUTING.md, "How long the tests take"), measured on a
 * quiet 2-core machine; every figure grows with the load beside it, but the order holds. Only the order matters:
 * the longest files start first, so the run does not end waiting on one that started last. A file
 * missing here runs after these, in vitest's own order.
 */
export const KNOWN_SLOW_FILES: Readonly<Record<string, number>> = {
  'test/integration/chaos-workers.test.ts': 60,
  'test/integration/security-cli.test.ts': 42,
  'test/e2e/ui-browser.test.ts': 40,
  'test/e2e/sync-cli-change-detection.test.ts': 36,
  'test/integration/bynder-openapi-contract.test.ts': 30,
  'test/e2e/cli-commands.test.ts': 27,
  'test/integration/bynder-upload-faults.test.ts': 27,
  'test/e2e/sync-cli.test.ts': 25,
  'test/integration/workers-request-budget.test.ts': 25,
  'test/integration/validate.test.ts': 21,
  'test/integration/deliver-retry-aid.test.ts': 19,
  'test/integration/deliver-faults.test.ts': 19,
  'test/integration/file-fetch.test.ts': 18,
  'test/e2e/sync-cli-cancel.test.ts': 17,
  'test/integration/deliver-external-key.test.ts': 14,
  'test/integration/security-secrets.test.ts': 13,
  'test/e2e/sync-cli-portal.test.ts': 12,
  'test/integration/emulator-upload.test.ts': 12,
  'test/integration/bynder-upload.test.ts': 10,
  'test/integration/deliver-outbox.test.ts': 9,
  'test/e2e/demo-creation.test.ts': 9,
  'test/e2e/sync-cli-sources.test.ts': 8,
  'test/integration/deliver-change-detection.test.ts': 8,
  'test/e2e/ui-cli.test.ts': 7,
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
