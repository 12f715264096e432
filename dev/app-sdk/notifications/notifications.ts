import { logger } from '../logging/Logger';

export type NotificationSeverity = 'info' | 'success' | 'warn' | 'error';

/**
 * Where notifications go, shaped as the SDK's: one method per severity. Methods (not function
 * properties), as in the SDK, so a caller that detaches one (`const f = notifications.info`) is
 * flagged by `@typescript-eslint/unbound-method` here as it is against the real package.
 */
export interface Notifier {
  info(activity: string, title: string, summary: string, details?: string): Promise<void>;
  success(activity: string, title: string, summary: string, details?: string): Promise<void>;
  warn(activity: string, title: string, summary: string, details?: string): Promise<void>;
  error(activity: string, title: string, summary: string, details?: string): Promise<void>;
}

/** The default keeps nothing, like the SDK's local no-op notifier. */
const keepNothing = (): Promise<void> => Promise.resolve();
const noopNotifier: Notifier = {
  info: keepNothing,
  success: keepNothing,
  warn: keepNothing,
  error: keepNothing,
};
let notifier: Notifier = noopNotifier;

/** @hidden As in the SDK: where notifications go from now on (local tools capture them). */
export function setNotifier(next: Notifier): void {
  notifier = next;
}

/** As the SDK: blank activity, title or summary is logged and nothing is sent. */
function isSendable(activity: string, title: string, summary: string): boolean {
  const problems = [
    ['activity', activity],
    ['title', title],
    ['summary', summary],
  ]
    .filter(([, value]) => !value?.trim())
    .map(([name]) => `${name} cannot be blank`);
  if (problems.length === 0) return true;
  logger.error(`Unable to send notification: ${problems.join(', ')}`);
  return false;
}

/** Activity notifications for the account. Blank activity, title or summary: logged, nothing sent. */
export const notifications: Notifier = {
  async info(activity, title, summary, details) {
    if (isSendable(activity, title, summary)) await notifier.info(activity, title, summary, details);
  },
  async success(activity, title, summary, details) {
    if (isSendable(activity, title, summary)) await notifier.success(activity, title, summary, details);
  },
  async warn(activity, title, summary, details) {
    if (isSendable(activity, title, summary)) await notifier.warn(activity, title, summary, details);
  },
  async error(activity, title, summary, details) {
    if (isSendable(activity, title, summary)) await notifier.error(activity, title, summary, details);
  },
};
