import type { ValueHash } from '../store/values';

/** How a job run stands between its steps: state carried to the next `perform`, and whether it is done. */
export interface JobStatus {
  state: ValueHash;
  complete: boolean;
}

export interface JobInvocation {
  jobId: string;
  scheduledAt: Date;
  parameters: ValueHash;
}

/**
 * A job declared under `jobs:` in app.yml. The platform calls `prepare` once, then `perform` until
 * the status it returns says `complete`.
 */
export abstract class Job {
  public constructor(protected invocation: JobInvocation) {}

  public abstract prepare(params: ValueHash, status?: JobStatus, resuming?: boolean): Promise<JobStatus>;

  public abstract perform(status: JobStatus): Promise<JobStatus>;
}
