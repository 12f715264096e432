import type { JobStatus, ValueHash } from '@zaiusinc/app-sdk';
import { Job } from '@zaiusinc/app-sdk';

import { deliverParked, type ParkedDelivery } from '../lib/delivery/deliver-parked';
import { sdkDeps } from '../destinations/sdk-deps';
import { refreshStaleSyncStatus } from '../lib/state/sync-status';

/**
 * The scheduled delivery of the outbox (app.yml, `jobs.deliver_outbox`): records parked because OCP
 * will not deliver them again are sent even when no later batch arrives. One step: the outbox holds
 * at most a few hundred records. What the run did is logged (one line; a warning when records are
 * still parked or the run failed) and kept in the job's state: `tried`, `remaining`, `success` and,
 * when it did not succeed, `failureReason`. It then tries again the records kept because their asset
 * was not found (`keptTried`, `keptRemaining`), the periodic look for their asset.
 */
export class DeliverOutbox extends Job {
  public async prepare(_params: ValueHash, status?: JobStatus): Promise<JobStatus> {
    return status ?? { state: {}, complete: false };
  }

  public async perform(status: JobStatus): Promise<JobStatus> {
    const deps = sdkDeps();
    const { parked: run, kept } = await deliverParked(deps);
    if (kept) {
      // Kept records whose asset was not found, looked for again; those still missing stay kept.
      deps.logger.info(
        `Outbox job: ${kept.tried} kept record${kept.tried === 1 ? '' : 's'} whose asset was not found tried again; ${kept.remaining} still kept`,
      );
    }
    const keptState = kept ? { keptTried: kept.tried, keptRemaining: kept.remaining } : {};
    // A change the Sync status text skipped (written at most once a minute) is shown now.
    await refreshStaleSyncStatus(deps);
    if (!run) {
      deps.logger.info('Outbox job: nothing parked, nothing sent');
      return {
        state: { ...status.state, tried: 0, remaining: 0, success: true, ...keptState },
        complete: true,
      };
    }
    const line = describeRun(run);
    if (run.result.success && run.remaining === 0) deps.logger.info(line);
    else deps.logger.warn(line);
    const { success, failureReason } = run.result;
    return {
      state: {
        ...status.state,
        tried: run.tried,
        remaining: run.remaining,
        success,
        ...(failureReason !== undefined ? { failureReason } : {}),
        ...keptState,
      },
      complete: true,
    };
  }
}

function describeRun({ tried, result, remaining }: ParkedDelivery): string {
  const outcome = result.success
    ? 'delivered'
    : `not all delivered: ${result.failureReason ?? 'no reason given'}`;
  return `Outbox job: ${tried} parked record${tried === 1 ? '' : 's'} tried, ${outcome}; ${remaining} still parked`;
}
