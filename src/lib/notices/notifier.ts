import type { Notifier } from '../runtime-ports';

// A notice to the Activity Log (the Notifier port, runtime-ports.ts), as this app words and throttles it.

export type NoticeSeverity = keyof Notifier;

/** One thing an administrator should hear about, and what it is throttled by. */
export interface Notice {
  severity: NoticeSeverity;
  /** What the throttle counts, e.g. `rejected` or `dropped_field:campaign`. */
  cause: string;
  /** The sync it is about; undefined for the install as a whole (the credentials). */
  syncId: string | undefined;
  title: string;
  summary: string;
  details: string;
}

/** The Activity Log groups entries by activity: every notice of this app carries this one. */
export const NOTICE_ACTIVITY = 'Bynder Assets data sync';
