import type { JobStatus, ValueHash } from '@zaiusinc/app-sdk';
import { Job } from '@zaiusinc/app-sdk';

import { deliverParked } from '../lib/delivery/deliver-parked';
import { sdkDeps } from '../destinations/sdk-deps';

/**
 * The scheduled delivery of the outbox (app.yml, `jobs.deliver_outbox`): records parked because OCP
 * will not deliver them again are sent even when no later batch arrives. One step: the outbox holds
 * at most a few hundred records.
 */
export class DeliverOutbox extends Job {
  public async prepare(_params: ValueHash, status?: JobStatus): Promise<JobStatus> {
    return status ?? { state: {}, complete: false };
  }

  public async perform(status: JobStatus): Promise<JobStatus> {
    const result = await deliverParked(sdkDeps());
    return { state: { ...status.state, delivered: result?.success ?? true }, complete: true };
  }
}
