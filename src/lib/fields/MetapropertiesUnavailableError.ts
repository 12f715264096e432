import {
  BynderAuthError,
  BynderError,
  BynderPermissionError,
  BynderRateLimitError,
  BynderUnavailableError,
} from '../bynder/errors';

/**
 * Bynder's metaproperties could not be listed and no cached copy exists, so there is no field list.
 * The message says what failed and what the user does about it; `retryable` follows the cause.
 */
export class MetapropertiesUnavailableError extends Error {
  public override name = 'MetapropertiesUnavailableError';
  public readonly retryable: boolean;

  public constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`Could not load the field list from Bynder (no cached copy yet): ${detail}. ${fixFor(cause)}`, {
      cause,
    });
    this.retryable = cause instanceof BynderError ? cause.retryable : true;
  }
}

function fixFor(cause: unknown): string {
  if (cause instanceof BynderAuthError) {
    return "Check the token or OAuth client in the app's Connection settings and save them again.";
  }
  if (cause instanceof BynderPermissionError) {
    return 'Give the Bynder user behind these credentials read access to metaproperties, then reload the field list.';
  }
  if (cause instanceof BynderRateLimitError || cause instanceof BynderUnavailableError) {
    return 'Bynder is unreachable or busy; try again in a few minutes.';
  }
  return "Check the portal address in the app's Connection settings, then try again.";
}
