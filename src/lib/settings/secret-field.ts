// OCP shows a settings section with the values stored under its key. Credentials are never stored
// there, so a secret field comes back empty when the form is reopened (and a platform that masks
// secrets may send a placeholder such as "********"). Either way the person did not type a new
// value, so the stored one is kept.

const MASK = /^[*•●]+$/;

/** The trimmed value a person typed into a secret field, or undefined for "keep what is stored". */
export function readSecretField(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || MASK.test(trimmed) ? undefined : trimmed;
}
