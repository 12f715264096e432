import type { PortalTarget } from './naive-deliverers';
import type { Throughput } from './our-deliverer';

// What the bench asks of one child process, and what the child answers. Each deliverer runs in a
// process of its own, so its peak RSS is its own; the parent only runs emulators and reads logs.

export type DelivererName = 'sequential' | 'fanout' | 'ours';

export type BenchJob =
  | {
      kind: 'deliver';
      deliverer: DelivererName;
      target: PortalTarget;
      records: number;
      timeBoxMs: number;
      throughput: Throughput;
    }
  /** Many batches that need (almost) no requests: memory against the number of batches. */
  | { kind: 'memory'; target: PortalTarget; batches: number; throughput: Throughput }
  /** A batch left partly pending, delivered again: requests attempt 2 sends for what attempt 1 applied. */
  | { kind: 'retry'; target: PortalTarget; records: number; throughput: Throughput }
  | { kind: 'validation'; records: number }
  /** One file streamed from the file host into the upload flow: peak RSS against the file's size. */
  | { kind: 'upload'; target: PortalTarget; fileUrl: string; fileName: string; requestsPerSecond: number };

export interface DeliverAnswer {
  kind: 'deliver';
  /** Records Bynder accepted before the time box ran out, as the deliverer saw it; null for ours (see the emulator). */
  applied: number | null;
  /** When timed delivery began (ms epoch): earlier requests (the field-model warm-up) are not counted. */
  startedAt: number;
  elapsedMs: number;
  timedOut: boolean;
  failures: string[];
  heapSlopeKbPerBatch?: number;
  maxRssKb: number;
}

export interface MemoryAnswer {
  kind: 'memory';
  batches: number;
  heapSlopeKbPerBatch: number;
  heapFirstMb: number;
  heapLastMb: number;
  maxRssKb: number;
}

export interface RetryAnswer {
  kind: 'retry';
  attempt1: { success: boolean; retryable?: boolean };
  attempt2: { success: boolean; retryable?: boolean };
  /** When attempt 2 began (ms epoch): splits the emulator's log into the two attempts. */
  attempt2StartedAt: number;
  maxRssKb: number;
}

export interface ValidationAnswer {
  kind: 'validation';
  records: number;
  planned: number;
  microsPerRecord: number;
  maxRssKb: number;
}

export interface UploadAnswer {
  kind: 'upload';
  mediaId: string;
  bytes: number;
  chunks: number;
  s3Requests: number;
  /** When the upload began (ms epoch): the parent counts the emulator's requests from then. */
  startedAt: number;
  elapsedMs: number;
  maxRssKb: number;
}

export type BenchAnswer = DeliverAnswer | MemoryAnswer | RetryAnswer | ValidationAnswer | UploadAnswer;
