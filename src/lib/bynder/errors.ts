import { AppError } from '../app-error';
import { connectionMessages, notAPortalBecause } from '../messages';
import type { ConnectionFailure, ConnectionTarget } from './connection-problem';
import { describeRoute, OAUTH_TOKEN_ROUTE, UPLOAD_ROUTES } from './routes';
import { type TransportFailure, transportFailureOfCause } from './transport-failure';

// One family of transport errors. Each class says what its failure means for the caller, so no
// caller re-derives it from the class: whether a retry can help (`retryable`), whether the client
// asks again at once (`retriedWithBackoff`), what a write it hits does to the rest of the batch
// (`batchEffect`), why that record stays pending (`pendingCause`, short enough to group by; when
// undefined, the record's own data is at fault and it is rejected), and which setting is wrong and
// how to fix it (`describeConnection`, `fix`). Messages name the route template (never a URL with a
// query string), the status and the fix, and never a secret.

/**
 * What a write an error hits does to the rest of its batch:
 * - `none`: nothing; only that record is pending (or rejected);
 * - `rate_limit`: stop: Bynder blocks every request for minutes, and each one sent lengthens it;
 * - `time_budget`: stop: the invocation's time budget ran out;
 * - `credentials`: stop: the credentials were refused, which only the user can fix;
 * - `withhold_operation`: hold back the writes needing the same right (a missing role), send the rest;
 * - `counts_unconfirmed`: stop once a few writes are not confirmed (the portal is not Bynder itself);
 * - `counts_unavailable`: stop once several writes in a row find Bynder unavailable.
 */
export type BatchEffect =
  | 'none'
  | 'rate_limit'
  | 'time_budget'
  | 'credentials'
  | 'withhold_operation'
  | 'counts_unconfirmed'
  | 'counts_unavailable';

export abstract class BynderError extends AppError {
  /** Why a record this error hits stays pending; undefined: the record's data is at fault (rejected). */
  public readonly pendingCause: string | undefined = 'unexpected answer from Bynder';
  /** What a write it hits does to the rest of the batch (BatchEffect). */
  public readonly batchEffect: BatchEffect = 'none';
  /** What the person who reads the failure does about it. */
  public readonly fix: string = "Check the portal address in the app's Connection settings, then try again.";
  /**
   * Whether the client asks again at once, with backoff, within this call. Only a transient failure
   * with no answer or a 5xx is; a 429 is retryable later but never at once, since asking into
   * Bynder's block prolongs it.
   */
  public get retriedWithBackoff(): boolean {
    return false;
  }

  /** Which setting is wrong and what to do, for the person who set the app up. */
  public describeConnection(_target: ConnectionTarget): ConnectionFailure {
    return unexpected(this.name);
  }
}

function unexpected(what: string): ConnectionFailure {
  return { problem: 'unexpected', field: undefined, message: connectionMessages.unexpected(what) };
}

function notAPortal(portal: string, why: string): ConnectionFailure {
  return { problem: 'portal', field: 'portal', message: connectionMessages.notAPortal(portal, why) };
}

/** Bynder answered with an HTTP error. `route` is a template such as `POST /api/v4/media/{id}/`. */
export class BynderApiError extends BynderError {
  public override name = 'BynderApiError';
  public readonly retryable: boolean;
  /** A 4xx Bynder refused as wrong: the data is at fault, not the connection. */
  public override readonly pendingCause: string | undefined = undefined;
  public constructor(
    public readonly status: number,
    public readonly route: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`Bynder ${route} failed with ${status}: ${detail}`, options);
    this.retryable = status === 408 || status >= 500;
  }

  public override describeConnection(target: ConnectionTarget): ConnectionFailure {
    // Bynder's API does not redirect: a redirecting host is something else in front of it.
    if (this.status >= 300 && this.status < 400) {
      return notAPortal(target.portalUrl, notAPortalBecause.redirects(this.status));
    }
    return unexpected(`${this.route} answered ${this.status}`);
  }
}

/** 401: the token or client credentials are wrong, expired or revoked. Fix the settings; no retry. */
export class BynderAuthError extends BynderApiError {
  public override name = 'BynderAuthError';
  public override readonly pendingCause = 'not sent: credentials refused';
  public override readonly batchEffect = 'credentials';
  public override readonly fix =
    "Check the token or OAuth client in the app's Connection settings and save them again.";

  public override describeConnection({ portalUrl, credentials }: ConnectionTarget): ConnectionFailure {
    return credentials.kind === 'permanent_token'
      ? {
          problem: 'credentials',
          field: 'token',
          message: connectionMessages.tokenRefused(portalUrl, this.status),
        }
      : {
          problem: 'credentials',
          field: 'client_secret',
          message: connectionMessages.clientRefused(portalUrl, this.status),
        };
  }
}

/** The routes of the upload flow, by the name errors carry: a 403 there is a missing upload right. */
const UPLOAD_ROUTE_NAMES: ReadonlySet<string> = new Set(UPLOAD_ROUTES.map(describeRoute));

/** 403: the credentials work but their user lacks a role (MEDIAEDIT, MEDIAREMOVE, ...). No retry. */
export class BynderPermissionError extends BynderApiError {
  public override name = 'BynderPermissionError';
  public override readonly pendingCause = 'not sent: permission missing';
  public override readonly batchEffect = 'withhold_operation';
  public override readonly fix =
    'Give the Bynder user behind these credentials the rights named above, then try again.';

  public override describeConnection({ portalUrl, credentials }: ConnectionTarget): ConnectionFailure {
    const byToken = credentials.kind === 'permanent_token';
    return {
      problem: 'permissions',
      field: undefined,
      message: connectionMessages.permissionDenied(
        portalUrl,
        byToken,
        this.route,
        UPLOAD_ROUTE_NAMES.has(this.route),
      ),
    };
  }
}

/** 404: the asset, metaproperty or route does not exist. */
export class BynderNotFoundError extends BynderApiError {
  public override name = 'BynderNotFoundError';

  public override describeConnection(target: ConnectionTarget): ConnectionFailure {
    const onTokenRoute = this.route === describeRoute(OAUTH_TOKEN_ROUTE);
    return notAPortal(
      target.portalUrl,
      onTokenRoute ? notAPortalBecause.noTokenEndpoint : notAPortalBecause.noApi,
    );
  }
}

/**
 * 404 from the media listing (`GET /api/v4/media/`). Bynder documents it for an unknown asset in
 * the `id=` filter, which this client never sends; on a read by `ids=` or a lookup by a
 * metaproperty's value it says nothing about any one record, so those records stay pending rather
 * than being rejected as "not found".
 */
export class BynderListingNotFoundError extends BynderApiError {
  public override name = 'BynderListingNotFoundError';
  public override readonly retryable = true;
  public override readonly pendingCause = 'unexpected answer from Bynder';
}

/** 429: the portal's rate limit was hit; Bynder blocks the client until it stays quiet for a while. */
export class BynderRateLimitError extends BynderApiError {
  public override name = 'BynderRateLimitError';
  public override readonly retryable = true;
  public override readonly pendingCause = 'rate limited by Bynder';
  public override readonly batchEffect = 'rate_limit';
  public override readonly fix = 'Bynder is unreachable or busy; try again in a few minutes.';

  public override describeConnection(target: ConnectionTarget): ConnectionFailure {
    return {
      problem: 'rate_limited',
      field: undefined,
      message: connectionMessages.rateLimited(target.portalUrl),
    };
  }
}

/**
 * Not sent: a rate-limit block stored by an earlier 429 (this invocation's or another worker's) is
 * still in force. On Bynder every request during a block restarts its quiet period, so sending
 * anything would only lengthen it. Stops the batch; retry after `blockedUntil`.
 */
/** Why a record was not sent while Bynder's rate limit blocks us, however the block was learnt. */
export const RATE_LIMIT_PENDING_CAUSE = 'not sent: Bynder rate-limit block';

export class BynderRateLimitBlockedError extends BynderError {
  public override name = 'BynderRateLimitBlockedError';
  public readonly retryable = true;
  public override readonly pendingCause = RATE_LIMIT_PENDING_CAUSE;
  public override readonly batchEffect = 'rate_limit';
  public override readonly fix =
    "Wait until the time named; nothing says the settings are wrong. Lower the requests per second in the app's Throughput settings if this repeats.";
  public constructor(public readonly blockedUntil: number) {
    super(
      `Nothing was sent to Bynder: its rate-limit block lasts until ${new Date(blockedUntil).toISOString()}, and every request during it would restart Bynder's five quiet minutes`,
    );
  }

  public override describeConnection(target: ConnectionTarget): ConnectionFailure {
    return {
      problem: 'rate_limited',
      field: undefined,
      message: connectionMessages.rateLimitBlocked(target.portalUrl, this.blockedUntil),
    };
  }
}

/**
 * 5xx, timeouts, resets, unreachable host. A 5xx, timeout, reset or refused connection is transient:
 * retried with backoff, then handed back. One does not stop a batch; several in a row do (the
 * delivery step counts them). With no answer at all, `noAnswer` says why, and its `retryable` is the
 * one answer the client's retries and every caller read (an unknown host is not retryable).
 */
export class BynderUnavailableError extends BynderError {
  public override name = 'BynderUnavailableError';
  public readonly retryable: boolean;
  public override readonly pendingCause = 'Bynder unavailable';
  public override readonly batchEffect = 'counts_unavailable';
  public override readonly fix = 'Bynder is unreachable or busy; try again in a few minutes.';
  /** Why no answer came (undefined: Bynder answered `status`, or nothing is known). */
  public readonly noAnswer: TransportFailure | undefined;
  public constructor(
    public readonly route: string,
    detail: string,
    public readonly status?: number,
    options?: ErrorOptions & { noAnswer?: TransportFailure },
  ) {
    super(`Bynder ${route} is unavailable: ${detail}`, options);
    this.noAnswer =
      options?.noAnswer ?? (status === undefined ? transportFailureOfCause(options?.cause) : undefined);
    this.retryable = this.noAnswer?.retryable ?? true;
  }

  /** The client asks again, with backoff, exactly what is retryable. */
  public override get retriedWithBackoff(): boolean {
    return this.retryable;
  }

  public override describeConnection({ portalUrl }: ConnectionTarget): ConnectionFailure {
    if (this.status !== undefined) {
      return {
        problem: 'bynder_trouble',
        field: undefined,
        message: connectionMessages.bynderTrouble(portalUrl, this.status),
      };
    }
    const kind = this.noAnswer?.kind;
    const message =
      kind === 'dns'
        ? connectionMessages.hostNotFound(portalUrl)
        : kind === 'private_address'
          ? connectionMessages.privateAddress(portalUrl)
          : connectionMessages.unreachable(portalUrl);
    return { problem: 'portal', field: 'portal', message };
  }
}

/**
 * The caller's time budget ran out: the request was not sent, not retried, or cut unanswered. Not
 * Bynder's fault and nothing to fix: the caller hands the rest back to be tried again.
 */
export class BynderDeadlineError extends BynderError {
  public override name = 'BynderDeadlineError';
  public readonly retryable = true;
  /** Not "not sent": a write cut in flight may have reached Bynder (sending it again is safe). */
  public override readonly pendingCause = 'time budget ran out';
  public override readonly batchEffect = 'time_budget';
  public override readonly fix = 'Nothing to fix: the rest is sent on the next attempt.';
  public constructor(
    public readonly route: string,
    detail: string,
  ) {
    super(`Bynder ${route} ${detail}: the time budget of this delivery ran out`);
  }
}

/**
 * A write answered with something other than Bynder's own success answer (modify: 202 with its JSON
 * envelope; delete: 204): a login or "session expired" page, a proxy's page, an envelope of another
 * kind. Nothing says the write took effect, so the record stays pending; execute.ts stops the batch
 * when a portal keeps answering so (one such answer does not stop it).
 */
export class BynderUnconfirmedWriteError extends BynderError {
  public override name = 'BynderUnconfirmedWriteError';
  public readonly retryable = true;
  public override readonly pendingCause = "not confirmed: the portal did not give Bynder's success answer";
  public override readonly batchEffect = 'counts_unconfirmed';
  public override readonly fix =
    "Check that the portal address in the app's Connection settings is the Bynder portal itself, not a login page, proxy or gateway in front of it, then try again.";
  public constructor(
    public readonly route: string,
    public readonly status: number,
    /** What came instead, e.g. "an HTML page"; never the body itself. */
    public readonly answered: string,
    expected: string,
  ) {
    super(
      `Bynder ${route} answered ${status} with ${answered}, not Bynder's success answer (${expected}); the write is not counted as applied`,
    );
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

  public override describeConnection(target: ConnectionTarget): ConnectionFailure {
    return notAPortal(target.portalUrl, notAPortalBecause.notApiData);
  }
}

export function isBynderError(error: unknown): error is BynderError {
  return error instanceof BynderError;
}

/**
 * The upload flow failed past what retrying one request can mend: S3 or Bynder refused a step for
 * good (a chunk outside the signed policy, a finalise Bynder says not to retry), the file's
 * conversion failed or was rejected, or the import was still converting after every poll. With
 * `fileAtFault`, the file itself is the problem (conversion failed or rejected, an empty file, a
 * name Bynder refuses): the record is rejected. Otherwise the upload starts over on the next attempt.
 */
export class BynderUploadError extends BynderError {
  public override name = 'BynderUploadError';
  public readonly retryable: boolean;
  public override readonly pendingCause: string | undefined;
  public override readonly fix: string;
  public constructor(
    /** The step: a route template (`POST /api/v4/upload/{id}/`, the S3 bucket's) or "the file". */
    public readonly step: string,
    detail: string,
    options: { fileAtFault: boolean; cause?: unknown },
  ) {
    super(
      `Bynder upload failed at ${step}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.retryable = !options.fileAtFault;
    this.pendingCause = options.fileAtFault ? undefined : 'upload not completed';
    this.fix = options.fileAtFault
      ? 'Check the file at its source (Bynder could not take it as it is), then send the record again.'
      : 'Nothing to fix if it happens once: the upload starts over on the next attempt.';
  }
}
