import type { ValueHash } from '../store/values';

// `jobs` of the SDK's public API (trigger a job of this app). The real SDK has no local
// implementation: outside OCP every method throws "Method not implemented.", and so does this one.

export interface JobDetail {
  jobId: string;
  status: number;
  definition: { name: string; parameters?: ValueHash };
  errors: string;
}

export const jobs = {
  trigger(_jobName: string, _parameters: ValueHash): Promise<JobDetail> {
    return Promise.reject(new Error('Method not implemented.'));
  },
};
