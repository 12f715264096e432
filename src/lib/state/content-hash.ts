import { createHash } from 'node:crypto';

// Short, stable fingerprints for the applied ledger: 16 bytes of SHA-256 in hex. Long enough that two
// different writes never share one in practice, short enough that a ledger row of a few thousand
// entries stays small. Parts are joined with NUL, which no key or form value can contain (keys with
// control characters are rejected; form values are encoded text).

export function contentHash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
