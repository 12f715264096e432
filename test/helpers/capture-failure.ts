import { inspect } from 'node:util';

/**
 * Awaits a call that must fail and returns its error, after recording every way the error could be
 * shown (message, String, JSON, util.inspect with causes) in `said`, so a redaction test can scan them.
 */
export async function captureFailure(promise: Promise<unknown>, said: string[]): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  said.push(error.message, String(error), JSON.stringify(error), inspect(error, { depth: 5 }));
  return error;
}
