import { AppError } from '../app-error';
import { BynderError } from '../bynder/errors';

/**
 * Bynder's metaproperties could not be listed and no cached copy exists, so there is no field list.
 * The message says what failed and what the user does about it; both come from the cause.
 */
export class MetapropertiesUnavailableError extends AppError {
  public override name = 'MetapropertiesUnavailableError';
  public readonly retryable: boolean;

  public constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const fix =
      cause instanceof BynderError
        ? cause.fix
        : "Check the portal address in the app's Connection settings, then try again.";
    super(`Could not load the field list from Bynder (no cached copy yet): ${detail}. ${fix}`, { cause });
    this.retryable = cause instanceof AppError ? cause.retryable : true;
  }
}
