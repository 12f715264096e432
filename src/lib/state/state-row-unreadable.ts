import { AppError } from '../app-error';

/** A row's stored value did not parse, and the row is declared `keep`: nothing overwrites it. */
export class StateRowUnreadableError extends AppError {
  public override name = 'StateRowUnreadableError';
  public readonly retryable = false;
  public constructor(
    public readonly key: string,
    problem: string,
  ) {
    super(
      `The stored kvStore row ${key} does not have the shape this version expects (${problem}); it is kept unchanged, so nothing it holds is lost. Support can read it and delete it once its contents are saved elsewhere.`,
    );
  }
}
