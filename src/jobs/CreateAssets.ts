import type { JobStatus, ValueHash } from '@zaiusinc/app-sdk';
import { Job } from '@zaiusinc/app-sdk';

import { continueCreations } from '../lib/delivery/creation-job';
import { sdkDeps } from '../destinations/sdk-deps';

/**
 * The creation job (app.yml, `jobs.create_assets`): goes on with the asset creations deliver() handed
 * over (queued for creation), scheduled every 5 minutes and triggered when one is queued. Each
 * perform() is one run inside one time budget, resuming every creation where its ledger row stands, so
 * OCP may interrupt it between runs without losing its place; it is complete when nothing is queued or
 * a run made no progress (the schedule tries again). The state holds what the runs did.
 */
export class CreateAssets extends Job {
  public async prepare(_params: ValueHash, status?: JobStatus): Promise<JobStatus> {
    return status ?? { state: { created: 0, versioned: 0, failed: 0, remaining: 0 }, complete: false };
  }

  public async perform(status: JobStatus): Promise<JobStatus> {
    const run = await continueCreations(sdkDeps());
    const created = Number(status.state.created ?? 0) + run.created.length;
    const versioned = Number(status.state.versioned ?? 0) + run.versioned.length;
    const failed = Number(status.state.failed ?? 0) + run.failed.length;
    const progressed = run.created.length + run.versioned.length + run.failed.length > 0;
    return {
      state: { ...status.state, created, versioned, failed, remaining: run.remaining },
      complete: run.remaining === 0 || !progressed,
    };
  }
}
