// The Activity Log, as src/lib sees it: the SDK's `notifications` object has these four methods
// (https://github.com/ZaiusInc/app-sdk, src/notifications). The entry points pass that object itself,
// so a notice goes through whatever the SDK routes it to, and tests observe it by spying on it.

export interface Notifier {
  info(activity: string, title: string, summary: string, details?: string): Promise<void>;
  success(activity: string, title: string, summary: string, details?: string): Promise<void>;
  warn(activity: string, title: string, summary: string, details?: string): Promise<void>;
  error(activity: string, title: string, summary: string, details?: string): Promise<void>;
}

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
