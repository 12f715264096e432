// One family of transport errors; each class says what the caller does next. Messages name the
// route template (never a URL with a query string), the status and the fix, and never a secret.

export abstract class BynderError extends Error {
  /** Whether trying again later can succeed. */
  public abstract readonly retryable: boolean;
}

/** Bynder answered with an HTTP error. `route` is a template such as `POST /api/v4/media/{id}/`. */
export class BynderApiError extends BynderError {
  public override name = 'BynderApiError';
  public readonly retryable: boolean;
  public constructor(
    public readonly status: number,
    public readonly route: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`Bynder ${route} failed with ${status}: ${detail}`, options);
    this.retryable = status === 408 || status >= 500;
  }
}

/** 401: the token or client credentials are wrong, expired or revoked. Fix the settings; no retry. */
export class BynderAuthError extends BynderApiError {
  public override name = 'BynderAuthError';
}

/** 403: the credentials work but their user lacks a role (MEDIAEDIT, MEDIAREMOVE, ...). No retry. */
export class BynderPermissionError extends BynderApiError {
  public override name = 'BynderPermissionError';
}

/** 404: the asset, metaproperty or route does not exist. */
export class BynderNotFoundError extends BynderApiError {
  public override name = 'BynderNotFoundError';
}

/** 429: the portal's rate limit was hit; Bynder blocks the client until it stays quiet for a while. */
export class BynderRateLimitError extends BynderApiError {
  public override name = 'BynderRateLimitError';
  public override readonly retryable = true;
}

/** 5xx, timeouts, resets, unreachable host: transient. Retried with backoff, then handed back. */
export class BynderUnavailableError extends BynderError {
  public override name = 'BynderUnavailableError';
  public readonly retryable = true;
  public constructor(
    public readonly route: string,
    detail: string,
    public readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(`Bynder ${route} is unavailable: ${detail}`, options);
  }
}

/** Bynder answered 2xx with a body we cannot read. */
export class BynderInvalidResponseError extends BynderError {
  public override name = 'BynderInvalidResponseError';
  public readonly retryable = false;
  public constructor(
    public readonly route: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`Bynder ${route} answered with an unexpected body: ${detail}`, options);
  }
}

export function isBynderError(error: unknown): error is BynderError {
  return error instanceof BynderError;
}
