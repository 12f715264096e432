import type { HttpRequestCounter } from './http-request-counter';

/** Where a run writes: the embedded emulator or a real portal. */
export interface SyncTarget {
  kind: 'emulator' | 'portal';
  /** The portal origin the app is configured with. */
  portalUrl: string;
  /** How the summary names the target. */
  describe: string;
  /** Connection-section credential fields, as the form submits them (never printed). */
  credentials: Record<string, string>;
  /** Secret values to redact from everything the runner prints. */
  secrets: string[];
  /** Starts counting requests to the portal; stop() returns the count. */
  countRequests(): HttpRequestCounter;
  /** Waits for accepted writes to land, writes `--dump-state`, stops what the run started. */
  finish(options: { dumpState?: string }): Promise<void>;
}
