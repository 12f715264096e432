import { notifications } from '@zaiusinc/app-sdk';

// The Activity Log notices the app sends during a local run, for the summary. Captured by wrapping
// the SDK's public `notifications` functions (each wrapper records, then calls the SDK's own), so it
// works the same with the real SDK and the stand-in; restore() puts the SDK's functions back.

export type NotificationSeverity = 'info' | 'success' | 'warn' | 'error';

export interface CapturedNotification {
  severity: NotificationSeverity;
  activity: string;
  title: string;
  summary: string;
  details?: string;
}

export interface NotificationCapture {
  readonly sent: readonly CapturedNotification[];
  /** Adds notices captured elsewhere (a worker process) to this run's. */
  add(notices: readonly CapturedNotification[]): void;
  /** Answers what was captured since the last take() and forgets it. */
  take(): CapturedNotification[];
  restore(): void;
}

const SEVERITIES: readonly NotificationSeverity[] = ['info', 'success', 'warn', 'error'];

export function captureNotifications(): NotificationCapture {
  const sent: CapturedNotification[] = [];
  // Bound: the SDK's notifications are methods of an object, and a detached method loses `this`.
  const originals = SEVERITIES.map(
    (severity) => [severity, notifications[severity].bind(notifications)] as const,
  );
  for (const [severity, original] of originals) {
    notifications[severity] = (activity: string, title: string, summary: string, details?: string) => {
      sent.push({ severity, activity, title, summary, ...(details !== undefined ? { details } : {}) });
      return original(activity, title, summary, details);
    };
  }
  return {
    sent,
    add: (notices) => {
      sent.push(...notices);
    },
    take: () => sent.splice(0, sent.length),
    restore: () => {
      for (const [severity, original] of originals) notifications[severity] = original;
    },
  };
}
