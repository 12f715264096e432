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
 * when it did not succeed, `failureReason`.
 */
export class DeliverOutbox extends Job {
  public async prepare(_params: ValueHash, status?: JobStatus): Promise<JobStatus> {
    return status ?? { state: {}, complete: false };
  }

  public async perform(status: JobStatus): Promise<JobStatus> {
    const deps = sdkDeps();
    const run = await deliverParked(deps);
    // A change the Sync status text skipped (written at most once a minute) is shown now.
    await refreshStaleSyncStatus(deps);
    if (!run) {
      deps.logger.info('Outbox job: nothing parked, nothing sent');
      return { state: { ...status.state, tried: 0, remaining: 0, success: true }, complete: true };
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
