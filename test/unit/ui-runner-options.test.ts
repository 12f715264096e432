import { describe, expect, it } from 'vitest';

import { runnerOptions } from '../../dev/ui/ui-runs';

// The page's run request carries the runner's options by their runSync names: the numeric ones are
// checked as the CLI's flags are, options the server does not know go through untouched (so an
// option the runner gains needs no change in the page's server), and what the server sets is refused.

describe('ui run endpoint: runner options', () => {
  it('defaults the numeric options as the CLI does and reads numbers typed as text', () => {
    expect(runnerOptions({ batchSize: ' 50 ' })).toEqual({
      batchSize: 50,
      retryPauseMs: 500,
      maxBlockWaitMs: 360_000,
    });
  });

  it('passes an option it does not know on as given', () => {
    expect(runnerOptions({ dryRun: true, batchSize: 10 })).toMatchObject({ dryRun: true, batchSize: 10 });
  });

  it('reads the workers typed as text, and leaves them out when the field is empty', () => {
    expect(runnerOptions({ workers: ' 2 ' })).toMatchObject({ workers: 2 });
    expect(runnerOptions({ workers: '' })).not.toHaveProperty('workers');
  });

  it('refuses workers that are not a whole number from 1 to 16, naming the value', () => {
    for (const workers of ['0', '2.5', 'two', 17]) {
      expect(() => runnerOptions({ workers })).toThrow(
        `runner option "workers" must be a whole number from 1 to 16, got ${JSON.stringify(workers)}`,
      );
    }
  });

  it('refuses a number that is not whole, naming the option and the value', () => {
    expect(() => runnerOptions({ batchSize: '1.5' })).toThrow(
      'runner option "batchSize" must be a whole number, got "1.5"',
    );
  });

  it('refuses an option the server sets itself', () => {
    expect(() => runnerOptions({ target: 'x' })).toThrow('runner option "target" is set by the page');
  });
});
