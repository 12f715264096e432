import pLimit from 'p-limit';
import { z } from 'zod';

import type { MetapropertyListing } from '../bynder/api-types';
import { contentHash } from '../state/content-hash';
import { METAPROPERTY_SHARD_ROW, KV_ROWS, metapropertyShardKey } from '../state/kv-rows';
import { parseStateRow, readStateRow, replaceStateRow, stateRow, updateStateRow } from '../state/state-row';
import {
  type Clock,
  type KeyValueStore,
  type Logger,
  type Random,
  type StoredRow,
  systemRandom,
} from '../runtime-ports';
import { type CachedListing, cachedListingSchema, decodeListing } from './cached-listing';

// The portal's metaproperties, kept in the kvStore so the schema function and every deliver()
// batch do not list them again. A large taxonomy (100,000 options is a few MB even compact) does not
// fit one row, so the copy is a head row plus shard rows:
//
// - the head (`field_model_metaproperties`): from which portal and when the copy was fetched, its
//   generation (a random id), which of two slots holds its shards, how many, and a hash of the whole;
// - the shards (`field_model_metaproperties_<slot>_<n>`): the copy's JSON cut into pieces of at most
//   METAPROPERTY_SHARD_BYTES each (the whole row, as stored), each stamped with its generation.
//
// A copy is read whole or not at all: a missing shard, one of another generation, or a whole whose
// hash or schema does not match is a cache miss (a refetch, logged), never a wrong field model.
//
// Writers: the shards go to the slot the head does not point at, so a reader of the current copy is
// never disturbed, and the head is switched last. Two invocations refreshing at once would write the
// same slot, so a writer first claims the head (a compare-and-set) for METAPROPERTY_WRITE_CLAIM_MS;
// one that finds another's live claim writes nothing (its model is built from what it fetched), and
// the head is switched only by the claim's holder. A writer slower than its claim can still overwrite
// a shard of the next writer's copy: the generation stamp makes that a miss, not a mixed copy.

/** How long a cached copy is used without asking Bynder. */
export const METAPROPERTY_FRESH_MS = 15 * 60 * 1000;
/** Bytes of one shard row as stored (its JSON, UTF-8), well under the kvStore's ~400 KB per record. */
export const METAPROPERTY_SHARD_BYTES = METAPROPERTY_SHARD_ROW.byteBudget;
/** How long a writer holds the head; far longer than writing 64 rows takes. */
export const METAPROPERTY_WRITE_CLAIM_MS = 60 * 1000;
/** Shard rows read at the same time. */
const SHARD_READ_CONCURRENCY = 8;

const HEAD_KEY = KV_ROWS.metaproperties.key;

/** A published copy, as the head row names it. */
export interface MetapropertyCopy {
  /** The portal origin it came from; a copy from another portal is never used. */
  portalUrl: string;
  /** ms since the epoch. */
  fetchedAt: number;
  /** A random id; every shard of the copy carries it. */
  generation: string;
  slot: 0 | 1;
  shards: number;
  /** UTF-16 length of the whole JSON, and its content hash: a wrong join is a miss. */
  length: number;
  hash: string;
  /** The longest option list of the copy (top-level options): tells the next listing to page. */
  longestOptionList?: number;
}

const copySchema = z.object({
  portalUrl: z.string(),
  fetchedAt: z.number(),
  generation: z.string().min(1),
  slot: z.union([z.literal(0), z.literal(1)]),
  shards: z.number().int().min(1).max(METAPROPERTY_SHARD_ROW.perSlot),
  length: z.number().int().min(0),
  hash: z.string().min(1),
  longestOptionList: z.number().int().min(0).optional(),
});

/** A writer's claim on the head while it writes its shards. */
const claimSchema = z.object({
  generation: z.string(),
  slot: z.union([z.literal(0), z.literal(1)]),
  until: z.number(),
});
type WriteClaim = z.infer<typeof claimSchema>;

/** The head row: the published copy (if any) and a writer's claim (if any). */
interface Head extends StoredRow {
  copy?: MetapropertyCopy;
  writing?: WriteClaim;
}

/**
 * Each part of the head is read on its own: a bad claim does not hide a good copy. A single-row copy
 * of earlier versions (`{ portalUrl, fetchedAt, json }`) reads as no copy: it is listed again.
 */
const headSchema = z
  .object({ copy: copySchema.optional().catch(undefined), writing: claimSchema.optional().catch(undefined) })
  .transform(({ copy, writing }): Head => ({ ...(copy ? { copy } : {}), ...(writing ? { writing } : {}) }));

export const METAPROPERTY_HEAD_ROW = stateRow<Head>(KV_ROWS.metaproperties, {
  schema: headSchema,
  empty: () => ({}),
});

const shardSchema = z.object({ generation: z.string(), index: z.number().int(), part: z.string() });

export const METAPROPERTY_SHARD_STATE_ROW = stateRow<z.infer<typeof shardSchema>>(METAPROPERTY_SHARD_ROW, {
  schema: shardSchema,
  empty: () => ({ generation: '', index: -1, part: '' }),
});

/** What the copy's head says, for `portalUrl`; undefined when there is none (or another portal's). */
export async function readMetapropertyHead(
  kvStore: KeyValueStore,
  portalUrl: string,
  logger: Logger,
): Promise<MetapropertyCopy | undefined> {
  let head: Head;
  try {
    head = await readStateRow(kvStore, METAPROPERTY_HEAD_ROW);
  } catch (error) {
    logger.warn(`Could not read the cached Bynder metaproperties; asking Bynder: ${String(error)}`);
    return undefined;
  }
  return head.copy?.portalUrl === portalUrl ? head.copy : undefined;
}

/**
 * Only when the current copy (of this portal) was fetched, and its content hash: a read of one small
 * field, so a caller that already holds the model built from that copy need not read more.
 */
export async function readMetapropertyStamp(
  kvStore: KeyValueStore,
  portalUrl: string,
): Promise<Pick<MetapropertyCopy, 'fetchedAt' | 'hash'> | undefined> {
  try {
    const copy = copySchema.safeParse((await kvStore.get(HEAD_KEY, ['copy'])).copy);
    if (!copy.success || copy.data.portalUrl !== portalUrl) return undefined;
    return { fetchedAt: copy.data.fetchedAt, hash: copy.data.hash };
  } catch {
    return undefined; // the full read that follows logs the failure
  }
}

/**
 * The copy's listing, read from its shards; undefined (logged) when any shard is missing, of another
 * generation, or the whole does not match its hash or the cached listing's schema.
 */
export async function readMetapropertyShards(
  kvStore: KeyValueStore,
  copy: MetapropertyCopy,
  logger: Logger,
): Promise<MetapropertyListing | undefined> {
  const miss = (why: string) => {
    logger.warn(`The cached Bynder metaproperties are unreadable (${why}); fetching them again`);
    return undefined;
  };
  const limit = pLimit(SHARD_READ_CONCURRENCY);
  let rows: StoredRow[];
  try {
    rows = await Promise.all(
      Array.from({ length: copy.shards }, (_, n) =>
        limit(() => kvStore.get(metapropertyShardKey(copy.slot, n))),
      ),
    );
  } catch (error) {
    return miss(`a shard could not be read: ${String(error)}`);
  }
  const parts: string[] = [];
  for (const [n, row] of rows.entries()) {
    const shard = parseStateRow(METAPROPERTY_SHARD_STATE_ROW, row);
    if (shard.index === -1) return miss(`shard ${n} of ${copy.shards} is missing or malformed`);
    if (shard.generation !== copy.generation || shard.index !== n) {
      return miss(`shard ${n} of ${copy.shards} belongs to another copy`);
    }
    parts.push(shard.part);
  }
  const json = parts.join('');
  if (json.length !== copy.length || contentHash([json]) !== copy.hash) {
    return miss('the shards do not join into the copy the head names');
  }
  let cached: CachedListing;
  try {
    cached = cachedListingSchema.parse(JSON.parse(json));
  } catch (error) {
    return miss(`the joined copy does not parse: ${String(error).slice(0, 300)}`);
  }
  return decodeListing(cached);
}

/** The copy's JSON and its hash: the hash tells a copy already built into a model. */
export function serializeListing(cached: CachedListing): { json: string; hash: string } {
  const json = JSON.stringify(cached);
  return { json, hash: contentHash([json]) };
}

// UTF-8 bytes a UTF-16 code unit of `part` costs inside the stored row's JSON: a quote or backslash
// is escaped (2); the JSON being cut has no raw control characters (JSON.stringify escaped them); a
// surrogate pair costs 4, counted on its first half so a cut never falls between the two.
function storedBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x20) return 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdbff) return 4;
  if (code >= 0xdc00 && code <= 0xdfff) return 0;
  return 3;
}

/** The bytes of a shard row around its part (generation, index, keys), for the largest index. */
function shardOverheadBytes(generation: string): number {
  const row = { generation, index: METAPROPERTY_SHARD_ROW.perSlot, part: '' };
  return Buffer.byteLength(JSON.stringify(row), 'utf8');
}

/** Cuts `json` into parts whose shard rows each stay within `maxBytes` as stored. */
export function cutIntoParts(
  json: string,
  generation: string,
  maxBytes: number = METAPROPERTY_SHARD_BYTES,
): string[] {
  const room = maxBytes - shardOverheadBytes(generation);
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < json.length; i += 1) {
    const cost = storedBytes(json.charCodeAt(i));
    if (bytes + cost > room) {
      parts.push(json.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += cost;
  }
  if (start < json.length || parts.length === 0) parts.push(json.slice(start));
  return parts;
}

export interface MetapropertyCacheWriteDeps {
  kvStore: KeyValueStore;
  logger: Logger;
  clock: Clock;
  random?: Random;
}

export type MetapropertyCacheWrite =
  | { kind: 'published'; copy: MetapropertyCopy }
  /** Another invocation holds a live claim: it publishes its copy; this one wrote nothing. */
  | { kind: 'claimed_by_another' }
  /** Larger than the shard rows of a slot hold: not cached, each caller lists again. */
  | { kind: 'too_large'; bytes: number }
  /** The kvStore failed, or the claim was lost while writing: logged; costs a later request. */
  | { kind: 'failed' };

/**
 * Stores a fresh copy: claim the head, write the shards to the free slot, switch the head. Never
 * throws: a failing kvStore only costs a later request, so it is logged.
 */
export async function writeMetapropertyCache(
  deps: MetapropertyCacheWriteDeps,
  entry: { portalUrl: string; fetchedAt: number; json: string; hash: string; longestOptionList?: number },
): Promise<MetapropertyCacheWrite> {
  const { kvStore, logger, clock } = deps;
  const generation = (deps.random ?? systemRandom).id();
  const parts = cutIntoParts(entry.json, generation);
  if (parts.length > METAPROPERTY_SHARD_ROW.perSlot) {
    const bytes = Buffer.byteLength(entry.json, 'utf8');
    logger.warn(
      `The Bynder metaproperties are too large to cache (${bytes.toLocaleString('en-US')} bytes compact, more than ${METAPROPERTY_SHARD_ROW.perSlot} rows of ${METAPROPERTY_SHARD_BYTES.toLocaleString('en-US')} bytes): every schema request and deliver() batch lists them from Bynder again`,
    );
    return { kind: 'too_large', bytes };
  }
  const headDeps = { kvStore, clock, ...(deps.random ? { random: deps.random } : {}) };
  try {
    let claim: WriteClaim | undefined;
    await updateStateRow(headDeps, METAPROPERTY_HEAD_ROW, (head) => {
      const now = clock.now();
      if (head.writing && head.writing.generation !== generation && head.writing.until > now) {
        claim = undefined;
        return head;
      }
      claim = { generation, slot: head.copy?.slot === 0 ? 1 : 0, until: now + METAPROPERTY_WRITE_CLAIM_MS };
      return { ...(head.copy ? { copy: head.copy } : {}), writing: claim };
    });
    const held = claim;
    if (!held) return { kind: 'claimed_by_another' };

    for (const [index, part] of parts.entries()) {
      const key = metapropertyShardKey(held.slot, index);
      // Cut to fit (cutIntoParts), so never over the row's budget.
      await replaceStateRow(kvStore, METAPROPERTY_SHARD_STATE_ROW, { generation, index, part }, key);
    }
    const copy: MetapropertyCopy = {
      portalUrl: entry.portalUrl,
      fetchedAt: entry.fetchedAt,
      generation,
      slot: held.slot,
      shards: parts.length,
      length: entry.json.length,
      hash: entry.hash,
      ...(entry.longestOptionList !== undefined ? { longestOptionList: entry.longestOptionList } : {}),
    };
    let published = false;
    await updateStateRow(headDeps, METAPROPERTY_HEAD_ROW, (head) => {
      published = head.writing?.generation === generation;
      return published ? { copy } : head;
    });
    if (!published) {
      logger.warn(
        'The Bynder metaproperties were not cached: another invocation took over the cache while this one wrote it',
      );
      return { kind: 'failed' };
    }
    return { kind: 'published', copy };
  } catch (error) {
    logger.warn(`Could not cache the Bynder metaproperties (${parts.length} rows): ${String(error)}`);
    await releaseClaim(headDeps, generation, logger);
    return { kind: 'failed' };
  }
}

/** Drops this writer's claim, so the next refresh caches its copy without waiting for it to expire. */
async function releaseClaim(
  headDeps: Parameters<typeof updateStateRow>[0],
  generation: string,
  logger: Logger,
): Promise<void> {
  try {
    await updateStateRow(headDeps, METAPROPERTY_HEAD_ROW, (head) => {
      if (head.writing?.generation !== generation) return head;
      return head.copy ? { copy: head.copy } : {};
    });
  } catch (error) {
    logger.warn(
      `Could not release the claim on the metaproperty cache; it expires by itself: ${String(error)}`,
    );
  }
}

/** Drops the copy: the head is enough (shards without a head are never read; they expire). */
export async function deleteMetapropertyCache(kvStore: KeyValueStore): Promise<void> {
  await kvStore.delete(HEAD_KEY);
}
