// The base of every error this app throws on purpose. Its message is written for the person who
// reads it (what failed, why, what to do) and never holds a secret, so it can be shown as it is;
// `retryable` says whether the same call can succeed later without anyone changing anything. Any
// other error is unexpected: shown with its class name, and treated as possibly transient.

export abstract class AppError extends Error {
  /** Whether trying again later, unchanged, can succeed. */
  public abstract readonly retryable: boolean;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Our own errors' messages are written for people; other errors keep their class name for support. */
export function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Whether an escaped error may heal by itself: our errors say; unknown ones may (OCP's retries are bounded). */
export function isRetryable(error: unknown): boolean {
  return error instanceof AppError ? error.retryable : true;
}
