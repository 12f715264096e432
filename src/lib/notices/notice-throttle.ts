import { z } from 'zod';

import { KV_ROWS } from '../state/kv-rows';
import { type Clock, type KeyValueStore, type Random, type StoredRow, systemRandom } from '../runtime-ports';
import { readStateRow, stateRow, storedBytes, updateStateRow, writtenOrThrow } from '../state/state-row';

// At most one notice per cause and sync an hour, however many batches meet the cause, in however
// many invocations at once. One kvStore row holds what was said when: a notice is sent only by the
// invocation whose claim the row holds afterwards.
//
// Claims are written with one compare-and-set update of the row (state-row.ts, which creates a
// missing row safely first), so of two concurrent claimers one wins and the other, retried, sees the
// claim; the updater's last run is the one the store kept, so it says which claims this call holds.
//
// A claim says a notice is being sent, not that it was: a send that fails gives its claims back
// (releaseClaims), so the next batch meeting the cause says it. Otherwise one failed send would
// silence an hourly cause for an hour and an open one (the credentials) for good.

export const NOTICE_INTERVAL_MS = 60 * 60_000;
/** Claims kept: older than the interval they are dropped anyway; this bounds a burst of causes. */
export const MAX_NOTICE_CLAIMS = 500;

interface Claim {
  /** `<sync id>|<cause>`, or `|<cause>` for the install as a whole. */
  key: string;
  at: number;
  token: string;
  /** A failure announced and not yet announced as over (the credentials). Kept past the interval. */
  open?: boolean;
}

interface NoticesRowValue extends StoredRow {
  claims: Claim[];
}

const claimSchema = z.object({
  key: z.string(),
  at: z.number(),
  token: z.string(),
  open: z.boolean().optional(),
});

/** A claim an older version wrote oddly is skipped; the others are kept. */
export const NOTICES_ROW = stateRow<NoticesRowValue>(KV_ROWS.notices, {
  schema: z.object({
    claims: z
      .array(z.unknown())
      .catch([])
      .transform((claims) =>
        claims.flatMap((c) => {
          const parsed = claimSchema.safeParse(c);
          if (!parsed.success) return [];
          const { open, ...held } = parsed.data;
          return [open === undefined ? held : { ...held, open }];
        }),
      ),
  }),
  empty: () => ({ claims: [] }),
});

export function claimKey(syncId: string | undefined, cause: string): string {
  return `${(syncId ?? '').slice(0, 200)}|${cause}`;
}

/** The claims one call holds: their keys, and the token that gives them back (releaseClaims). */
export interface HeldClaims {
  keys: Set<string>;
  token: string;
}

/**
 * Claims the keys with no claim in the last hour; resolves to those this call holds. `open`: the
 * claims stay open until closeClaim (a failure whose end is announced too).
 */
export async function claimHourly(
  kvStore: KeyValueStore,
  clock: Clock,
  keys: readonly string[],
  options: { open?: boolean; random?: Random } = {},
): Promise<HeldClaims> {
  const now = clock.now();
  // An open claim is taken however old: a failure still not over is not announced again.
  const free = (claims: readonly Claim[], key: string) =>
    !claims.some((c) => c.key === key && (c.open === true || now - c.at < NOTICE_INTERVAL_MS));
  const token = (options.random ?? systemRandom).id();
  if (keys.length === 0) return { keys: new Set(), token };
  const held = await claim(kvStore, clock, now, (claims) => {
    const wanted = keys.filter((key) => free(claims, key));
    if (wanted.length === 0) return undefined;
    const kept = claims.filter((c) => !wanted.includes(c.key));
    const open = options.open ? { open: true } : {};
    return [...kept, ...wanted.map((key) => ({ key, at: now, token, ...open }))];
  });
  return {
    keys: new Set(held.filter((c) => c.token === token && keys.includes(c.key)).map((c) => c.key)),
    token,
  };
}

/**
 * Gives back the claims at `keys` that `token` holds (their notice could not be sent), so the next
 * call meeting the cause claims it again. A claim another call took meanwhile is left alone.
 */
export async function releaseClaims(
  kvStore: KeyValueStore,
  clock: Clock,
  held: { keys: Iterable<string>; token: string },
): Promise<void> {
  const keys = new Set(held.keys);
  if (keys.size === 0) return;
  const now = clock.now();
  await updateClaims(kvStore, clock, (claims) =>
    bounded(
      claims.filter((c) => !(keys.has(c.key) && c.token === held.token)),
      now,
    ),
  );
}

/**
 * Closes the open claim at `key` (the failure is over) and claims `closedKey` for the notice saying
 * so; true when this call did. Nothing to close (never announced, or closed already): false.
 */
export async function closeClaim(
  kvStore: KeyValueStore,
  clock: Clock,
  key: string,
  closedKey: string,
  random: Random = systemRandom,
): Promise<HeldClaims | undefined> {
  const now = clock.now();
  const token = random.id();
  const held = await claim(kvStore, clock, now, (claims) => {
    if (!claims.some((c) => c.key === key && c.open === true)) return undefined;
    const closed = claims
      .filter((c) => c.key !== closedKey)
      .map((c) => (c.key === key ? { key, at: c.at, token: c.token } : c));
    return [...closed, { key: closedKey, at: now, token }];
  });
  return held.some((c) => c.key === closedKey && c.token === token)
    ? { keys: new Set([closedKey]), token }
    : undefined;
}

/**
 * Undoes closeClaim when the notice saying the failure is over could not be sent: the claim at
 * `key` is open again (if no one claimed it since) and the claim at `closedKey` is given back.
 */
export async function reopenClaim(
  kvStore: KeyValueStore,
  clock: Clock,
  key: string,
  closed: HeldClaims,
): Promise<void> {
  const now = clock.now();
  await updateClaims(kvStore, clock, (claims) =>
    bounded(
      claims
        .filter((c) => !(closed.keys.has(c.key) && c.token === closed.token))
        .map((c) => (c.key === key && c.open !== true ? { ...c, open: true } : c)),
      now,
    ),
  );
}

/** Whether the row holds an open claim at `key`, with one read: most calls need nothing more. */
export async function hasOpenClaim(kvStore: KeyValueStore, key: string): Promise<boolean> {
  return (await readStateRow(kvStore, NOTICES_ROW)).claims.some((c) => c.key === key && c.open === true);
}

/**
 * The shared cycle: one compare-and-set update; nothing to claim → nothing written. Answers the
 * claims the row holds afterwards.
 */
async function claim(
  kvStore: KeyValueStore,
  clock: Clock,
  now: number,
  update: (claims: Claim[]) => Claim[] | undefined,
): Promise<Claim[]> {
  return updateClaims(kvStore, clock, (claims) => {
    const updated = update(claims);
    return updated === undefined ? claims : bounded(updated, now);
  });
}

async function updateClaims(
  kvStore: KeyValueStore,
  clock: Clock,
  update: (claims: Claim[]) => Claim[],
): Promise<Claim[]> {
  const outcome = await updateStateRow({ kvStore, clock }, NOTICES_ROW, (previous) => {
    const claims = update(previous.claims);
    return claims === previous.claims ? previous : { claims: withinBudget(claims) };
  });
  return writtenOrThrow(outcome, KV_ROWS.notices.key).claims;
}

/** Drops claims past the interval (open ones stay) and keeps the newest MAX_NOTICE_CLAIMS. */
function bounded(claims: Claim[], now: number): Claim[] {
  return claims.filter((c) => c.open === true || now - c.at < NOTICE_INTERVAL_MS).slice(-MAX_NOTICE_CLAIMS);
}

/** The newest claims that fit the row's byte budget (open ones kept first: they are never said twice). */
function withinBudget(claims: Claim[]): Claim[] {
  let kept = claims;
  while (kept.length > 0 && storedBytes({ claims: kept }) > NOTICES_ROW.byteBudget) {
    const oldest = kept.findIndex((c) => c.open !== true);
    kept = kept.filter((_, i) => i !== (oldest >= 0 ? oldest : 0));
  }
  return kept;
}
