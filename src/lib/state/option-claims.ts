import { z } from 'zod';

import type { Clock, KeyValueStore } from '../runtime-ports';
import { KV_ROWS } from './kv-rows';
import { stateRow, storedBytes, updateStateRow } from './state-row';

// Who creates a new option, so two invocations meeting the same new value at once end with one
// option. One shared row of claims keyed `<metaproperty id>|<option name>`: the first invocation to
// claim a name creates the option and writes its id into the claim; another that finds the claim
// uses that id, or, while the first is still creating it, leaves its records pending (sent again on
// retry, when the id is there). Bynder's own answer to a second create of one name (400 with the
// existing option's id) covers what a claim cannot: a claim expired mid-create, another install.

/** A claim without an id is trusted this long: longer than one create with its retries. */
export const OPTION_CLAIM_MS = 60_000;
/** Created ids are kept this long, so a retry uses the id without asking Bynder again. */
const CREATED_KEEP_MS = 60 * 60_000;
const MAX_CLAIMS = 500;
/** Room left in the row's budget for what the state layer adds (its update counter). */
const ROW_OVERHEAD_BYTES = 100;

const claimSchema = z.object({ owner: z.string(), at: z.number(), id: z.string().optional() });
type Claims = Record<string, z.output<typeof claimSchema>>;

/** Claims that do not parse are dropped: they end within the hour anyway, and Bynder's answer covers them. */
export const OPTION_CLAIMS_ROW = stateRow<{ claims: Claims }>(KV_ROWS.optionClaims, {
  schema: z.object({ claims: z.record(z.string(), claimSchema).catch({}) }),
  empty: () => ({ claims: {} }),
});

export function optionClaimKey(metapropertyId: string, name: string): string {
  return `${metapropertyId}|${name.toLowerCase()}`;
}

function live(claims: Claims, now: number): Claims {
  const kept = Object.entries(claims).filter(([, claim]) =>
    claim.id !== undefined ? now - claim.at < CREATED_KEEP_MS : now - claim.at < OPTION_CLAIM_MS,
  );
  return Object.fromEntries(kept.sort(([, a], [, b]) => b.at - a.at).slice(0, MAX_CLAIMS));
}

/**
 * `claims` within the row's byte budget: the oldest created ids go first (a cache: a retry asks
 * Bynder, whose 400 names the existing option), then the oldest live claims (Bynder's answer covers a
 * second create of one name too). So a claim is always taken, never refused for want of room.
 */
function fitted(claims: Claims): Claims {
  const budget = OPTION_CLAIMS_ROW.byteBudget - ROW_OVERHEAD_BYTES;
  if (storedBytes({ claims }) <= budget) return claims;
  const oldestFirst = Object.entries(claims).sort(
    ([, a], [, b]) => Number(a.id === undefined) - Number(b.id === undefined) || a.at - b.at,
  );
  const kept = { ...claims };
  let bytes = storedBytes({ claims });
  for (const [key, claim] of oldestFirst) {
    if (bytes <= budget) break;
    delete kept[key];
    bytes -= storedBytes({ [key]: claim }) - 1; // its entry and a comma, about
  }
  return kept;
}

export type OptionClaim =
  | { kind: 'mine' }
  | { kind: 'created'; id: string }
  /** Another invocation is creating it now. */
  | { kind: 'theirs' };

/** Claims `key` for `owner` unless a live claim holds it; says what the row holds afterwards. */
export async function claimOption(
  kvStore: KeyValueStore,
  clock: Clock,
  key: string,
  owner: string,
): Promise<OptionClaim> {
  const now = clock.now();
  const outcome = await updateStateRow({ kvStore, clock }, OPTION_CLAIMS_ROW, (current) => {
    const claims = live(current.claims, now);
    if (!claims[key]) claims[key] = { owner, at: now };
    return { claims: fitted(claims) };
  });
  const claim = outcome.value.claims[key];
  if (claim?.id !== undefined) return { kind: 'created', id: claim.id };
  return claim?.owner === owner ? { kind: 'mine' } : { kind: 'theirs' };
}

/** Records the created option's id in its claim (or drops the claim when creation failed: `id` undefined). */
export async function settleOptionClaim(
  kvStore: KeyValueStore,
  clock: Clock,
  key: string,
  owner: string,
  id: string | undefined,
): Promise<void> {
  const now = clock.now();
  await updateStateRow({ kvStore, clock }, OPTION_CLAIMS_ROW, (current) => {
    const claims = live(current.claims, now);
    if (claims[key]?.owner !== owner) return { claims };
    if (id === undefined) delete claims[key];
    else claims[key] = { owner, at: now, id };
    return { claims: fitted(claims) };
  });
}
