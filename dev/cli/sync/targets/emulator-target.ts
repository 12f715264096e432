import { writeFile } from 'node:fs/promises';

import type { RunningEmulator } from '../../../bynder-emulator/server';
import { startEmulator } from '../../../bynder-emulator/server';
import type { RequestCount } from '../summary/run-summary';
import { secretsOfFields } from '../../../../src/lib/secret-values';
import type { SyncTarget } from './sync-target';

export interface EmulatorTarget extends SyncTarget {
  emulator: RunningEmulator;
}

/** Starts the embedded Bynder emulator on a free loopback port, seeded from a JSON file. */
export async function startEmulatorTarget(seed: string): Promise<EmulatorTarget> {
  return emulatorTarget(await startEmulator({ port: 0, seed }), seed, { stopOnFinish: true });
}

/**
 * A running emulator as a run's target. `stopOnFinish: false` leaves it up after the run, for a
 * process that serves several runs against one emulator (`ui`).
 */
export function emulatorTarget(
  emulator: RunningEmulator,
  seed: string,
  { stopOnFinish }: { stopOnFinish: boolean },
): EmulatorTarget {
  let stopped = false;
  return {
    kind: 'emulator',
    emulator,
    portalUrl: emulator.url,
    describe: `embedded emulator ${emulator.url} (seed ${seed})`,
    credentials: { auth_method: 'permanent_token', token: emulator.token },
    secrets: secretsOfFields({ token: emulator.token }),
    countRequests() {
      // The emulator logs every request it receives: the authoritative count, retries included.
      const since = Date.now();
      const before = emulator.requests().length;
      return {
        // The emulator's log already holds the workers' requests: nothing to add from them.
        record: () => undefined,
        stop: (): RequestCount => {
          const entries = emulator
            .requests()
            .slice(before)
            .filter((entry) => entry.at >= since);
          const byRoute: Record<string, number> = {};
          for (const entry of entries) byRoute[entry.route] = (byRoute[entry.route] ?? 0) + 1;
          return {
            total: entries.length,
            byRoute,
            rateLimited: entries.filter((entry) => entry.status === 429).length,
            countedBy: "emulator's request log",
          };
        },
      };
    },
    async finish({ dumpState }) {
      if (stopped) return;
      try {
        await emulator.settle();
        if (dumpState) await writeFile(dumpState, `${JSON.stringify(emulator.snapshot(), null, 2)}\n`);
      } finally {
        stopped = true;
        if (stopOnFinish) await emulator.stop();
      }
    },
  };
}
