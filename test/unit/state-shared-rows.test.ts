import { describe, expect, it } from 'vitest';

import { startCheckpoint } from '../../src/lib/state/checkpoint';
import { saveBatchState } from '../../src/lib/delivery/save-batch-state';
import { rejectedOutcome } from '../../src/lib/delivery/outcome';
import type { KeyValueStore, Logger } from '../../src/lib/runtime-ports';
import { fakeClock } from '../helpers/fake-clock';

// When the rejection log cannot be written, the rejections failureReason leaves out ("and 4 more")
// must still be recorded: every one goes to the error log.

const failingStore: KeyValueStore = {
  get: async () => ({}),
  put: async () => ({}),
  patch: async () => {
    throw new Error('Failed to update key delivery_rejections. CAS retries exhausted.');
  },
  delete: async () => ({}),
  increment: async () => undefined,
};

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const quiet = () => undefined;
  return {
    errors,
    debug: quiet,
    info: quiet,
    warn: quiet,
    error: (...args) => errors.push(args.map(String).join(' ')),
  };
}

describe('rejection log that cannot be written', () => {
  it('logs every rejection of the batch, so none is recorded nowhere', async () => {
    const rejections = Array.from({ length: 9 }, (_, i) =>
      rejectedOutcome({ key: `KEY-${i}`, subject: `asset_id "KEY-${i}"`, records: [i] }, [
        { field: 'campaign', problem: `"Nope${i}" is not an option` },
      ]),
    );
    const logger = recordingLogger();
    const ledger = { key: 'delivery_ledger_x', applied: new Set<string>() };
    const deps = { kvStore: failingStore, clock: fakeClock(), logger };
    const checkpoint = startCheckpoint(ledger, deps);
    await saveBatchState(
      rejections,
      { checkpoint, stop: undefined, keyCache: undefined, syncName: 'Assets', attempt: 1 },
      deps,
    );
    const text = logger.errors.join('\n');
    expect(text).toContain('Could not store the rejection log');
    for (let i = 0; i < 9; i += 1) {
      expect(text).toContain(`asset_id "KEY-${i}" field "campaign": "Nope${i}" is not an option`);
    }
  });
});
