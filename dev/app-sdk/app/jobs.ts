import type { ValueHash } from '../store/values';

// `jobs` of the SDK's public API (trigger a job of this app). The real SDK has no local
// implementation: outside OCP every method throws "Method not implemented." synchronously (its
// LocalJobApi, though typed to answer a promise), and so does this one: a caller that only
// catches a rejected promise would pass here and fail on the real SDK.

export interface JobDetail {
  jobId: string;
  status: number;
  definition: { name: string; parameters?: ValueHash };
  errors: string;
}

export const jobs = {
  trigger(_jobName: string, _parameters: ValueHash): Promise<JobDetail> {
    throw new Error('Method not implemented.');
  },
};
