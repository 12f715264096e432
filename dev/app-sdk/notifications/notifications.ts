import { logger } from '../logging/Logger';

export type NotificationSeverity = 'info' | 'success' | 'warn' | 'error';

/** Where notifications go. The default keeps nothing, like the SDK's local no-op notifier. */
export interface Notifier {
  notify(
    severity: NotificationSeverity,
    activity: string,
    title: string,
    summary: string,
    details?: string,
  ): Promise<void>;
}

const noopNotifier: Notifier = { notify: async () => undefined };
let notifier: Notifier = noopNotifier;

/** @hidden Lets local tools capture notifications; `undefined` restores the no-op. */
export function setNotifier(next: Notifier | undefined): void {
  notifier = next ?? noopNotifier;
}

async function send(
  severity: NotificationSeverity,
  activity: string,
  title: string,
  summary: string,
  details?: string,
): Promise<void> {
  const problems = [
    ['activity', activity],
    ['title', title],
    ['summary', summary],
  ]
    .filter(([, value]) => !value?.trim())
    .map(([name]) => `${name} cannot be blank`);
  if (problems.length > 0) {
    logger.error(`Unable to send notification: ${problems.join(', ')}`);
    return;
  }
  await notifier.notify(severity, activity, title, summary, details);
}

/** Activity notifications for the account. Blank activity, title or summary: logged, nothing sent. */
export const notifications = {
  info: (activity: string, title: string, summary: string, details?: string) =>
    send('info', activity, title, summary, details),
  success: (activity: string, title: string, summary: string, details?: string) =>
    send('success', activity, title, summary, details),
  warn: (activity: string, title: string, summary: string, details?: string) =>
    send('warn', activity, title, summary, details),
  error: (activity: string, title: string, summary: string, details?: string) =>
    send('error', activity, title, summary, details),
};
