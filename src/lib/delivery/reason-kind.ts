// Rejections grouped by what is wrong, not by the values involved, so a summary can count them:
// `campaign: "…" is not an option of "…"` for every misspelt campaign. Used by the Activity Log
// notice on rejections and by the local runner's summary.

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
