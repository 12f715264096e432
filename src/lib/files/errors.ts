import { AppError } from '../app-error';

// Why a record's file could not be opened for upload. Two classes, as for Bynder's errors
// (src/lib/bynder/errors.ts): the class says what the failure means for the record. A refusal is
// the record's own doing (its URL, its file): retrying the same record cannot help, so it is
// rejected (`pendingCause` undefined). An unavailable file host may answer later, so the record
// stays pending. Every message names the record's field and the URL (redacted), the problem and
// the fix, in that order, and never a query value, user name or password.

/** What went wrong, for callers and tests that branch on it rather than on the wording. */
export type FileProblem =
  | 'invalid_url'
  | 'credentials_in_url'
  | 'scheme'
  | 'private_address'
  | 'host_not_found'
  | 'denied_type'
  | 'too_large'
  | 'empty'
  | 'encoded'
  | 'too_many_redirects'
  | 'bad_redirect'
  | 'not_found'
  | 'access_denied'
  | 'http_status'
  | 'tls'
  | 'connect_timeout'
  | 'read_timeout'
  | 'unreachable'
  | 'interrupted';

/** Where the file was named: the record's field and the URL as it may be shown (redactUrl). */
export interface FileOrigin {
  field: string;
  /** Already redacted: no credentials, no query values. */
  url: string;
}

export abstract class FileFetchError extends AppError {
  /** Why a record this error hits stays pending; undefined: the record's file or URL is at fault (rejected). */
  public abstract readonly pendingCause: string | undefined;
  public constructor(
    public readonly origin: FileOrigin,
    public readonly problem: FileProblem,
    /** What is wrong, as a phrase after the URL: "is 2,147,483,648 bytes, more than …". */
    detail: string,
    /** What the person who reads it does about it. */
    public readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(`The file at ${origin.url} (field "${origin.field}") ${detail}. ${fix}`, options);
  }
}

/** The record's URL or file is refused: rejected, since sending the same record again gets the same answer. */
export class FileRefusedError extends FileFetchError {
  public override name = 'FileRefusedError';
  public readonly retryable = false;
  public readonly pendingCause = undefined;
}

/** The file host did not answer in time, answered 5xx or dropped the connection: may work later. */
export class FileUnavailableError extends FileFetchError {
  public override name = 'FileUnavailableError';
  public readonly retryable = true;
  public readonly pendingCause = 'file host unavailable';
}

export function isFileFetchError(error: unknown): error is FileFetchError {
  return error instanceof FileFetchError;
}
