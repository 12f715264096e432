import type { KeptCause } from '../state/outbox';

// Rejections classified in one place:
// - by what is wrong, not by the values involved, so a summary can count them:
//   `campaign: "…" is not an option of "…"` for every misspelt campaign (reasonKind; the Activity
//   Log notice on rejections and the local runner's summary);
// - by whose state is at fault (keptCauseOf): a record rejected only because of Bynder's state (a
//   value that is no option of its metaproperty, an asset no key finds) may land once Bynder
//   changes, with no change to the record, so the outbox keeps it for a retry; a record rejected
//   for its own data (a bad date) is not kept: OCP sends it again when its source changes.

/** What is wrong with a rejected record: quoted values, option lists and lengths removed, field kept. */
export function reasonKind(rejection: { field: string | undefined; reason: string }): string {
  const generic = rejection.reason
    .replace(/^field "[^"]*":\s*/, '')
    .replace(/\s*\([^)]*,[^)]*(\)|$)/g, '') // option lists, e.g. (Summer, Winter, …)
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b\d[\d,.]*(?= characters)/g, 'N') // lengths: "is 2,603 characters long"
    .split(';')[0]
    ?.trim();
  return rejection.field
    ? `${rejection.field}: ${generic ?? rejection.reason}`
    : (generic ?? rejection.reason);
}

/**
 * The part of Bynder's state a rejection waits for, when every problem of the record is Bynder's
 * (`bynder`, set where the problem is found); undefined when any is the record's own (retrying the
 * same data cannot help). An option problem wins over an asset one: it is what a retry waits for.
 */
export function keptCauseOf(problems: ReadonlyArray<{ bynder?: KeptCause }>): KeptCause | undefined {
  if (problems.length === 0 || problems.some((p) => p.bynder === undefined)) return undefined;
  return problems.some((p) => p.bynder === 'option') ? 'option' : 'asset';
}
