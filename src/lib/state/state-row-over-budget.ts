import { AppError } from '../app-error';

/** A value over its row's byte budget: not written. The caller trims it or reports what was left out. */
export class StateRowOverBudgetError extends AppError {
  public override name = 'StateRowOverBudgetError';
  public readonly retryable = false;
  public constructor(
    public readonly key: string,
    public readonly bytes: number,
    public readonly budget: number,
  ) {
    super(
      `The kvStore row ${key} would hold ${bytes.toLocaleString('en-US')} bytes, over its budget of ${budget.toLocaleString('en-US')}: it was not written`,
    );
  }
}
