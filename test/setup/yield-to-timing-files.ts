import os from 'node:os';

// The files that measure real time (the `timing` project in vitest.config.ts) run beside the rest
// of the suite in `npm test` (scripts/test.mjs), from its start, instead of one after another at its
// end. Every other test file's worker lowers its own CPU priority, as the check steps of `npm test`
// do, so that a timing file gets a core whenever it needs one: its rates and windows are then those
// of a quiet machine. The child processes a file starts (the CLI, a browser) inherit the lower
// priority.

/**
 * The niceness of a worker that runs no timing file: below a timing file's (0), above the check
 * steps of `npm test` (10), so that the tests, whose child processes answer within a test's timeout,
 * still come before tsc and eslint.
 */
export const YIELDING_NICENESS = 5;

try {
  // os.getPriority()/setPriority() act on this process; raising niceness needs no privilege.
  if (os.getPriority() < YIELDING_NICENESS) os.setPriority(YIELDING_NICENESS);
} catch {
  // A platform that refuses (some containers) runs the file at its usual priority: slower, same result.
}
