import { CasError } from './LocalAsyncStoreBackend';

const CAS_ATTEMPTS = 5;

/** Runs a read-modify-write cycle until its CAS write wins, up to five times (as the SDK's local stores do). */
export async function retryOnCasConflict<R>(key: string, attempt: () => Promise<R>): Promise<R> {
  for (let i = 0; i < CAS_ATTEMPTS; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof CasError) continue;
      throw new Error(`Failed to update key ${key}`, { cause: error });
    }
  }
  throw new Error(`Failed to update key ${key}. CAS retries exhausted.`);
}

/** Keeps only `fields`; missing ones appear as undefined. */
export function pickFields<T extends object>(value: T, fields: string[]): T {
  const source = value as Record<string, unknown>;
  return Object.fromEntries(fields.map((field) => [field, source[field]])) as T;
}
