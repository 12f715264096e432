import { z } from 'zod';

import { KV_ROWS } from './kv-rows';
import type { Clock, KeyValueStore, Logger, Random, SettingsStore, StoredRow } from '../runtime-ports';
import { SECTION } from '../config';
import { escapeMarkdown } from '../markdown-text';
import { redactSecrets } from '../redact';
import { secretsOfFields } from '../secret-values';
import { shorten } from '../shorten';
import { type HeldEntry, readHeldDeletes } from './held-deletes';
import {
  heldCount,
  keptCount,
  type OutboxHead,
  type ParkedRecord,
  parkedCount,
  readKeptRecords,
  readOutboxHead,
} from './outbox';
import { type RejectionLogEntry, readRejectionLog } from './rejection-log';
import { readStateRow, stateRow, updateStateRow, writtenOrThrow } from './state-row';

// The "Sync status" section of the settings form: a text OCP's form shows through an `instructions`
// element that interpolates a stored settings value (`{{{sync_status.text}}}`), since a form section
// shows only what is stored. Written from stored state (the rejection log, held deletes, the outbox,
// the counts below), at most once a minute and only after something changed, so a batch that
// changes nothing pays no store call and the others pay one compare-and-set of a small row; a text
// not refreshed because of the minute is refreshed by the next change after it, the outbox's
// scheduled job, or the section's Refresh button.
// Every key, sync name and reason comes from records or from people: hostile. The form renders the
// text as markdown that may hold HTML, and the triple braces insert it unescaped, so every such
// text is cut short first and then every ASCII punctuation character is written as an HTML
// character reference (inert in markdown and HTML alike; see escapeForForm).

/** The settings row (a section of forms/settings.yml) whose `text` the form shows. */
export const SYNC_STATUS_SECTION = 'sync_status';
/** A text is written at most this often after changes (the buttons write it at once). */
export const SYNC_STATUS_REFRESH_MS = 60_000;
/** The text's bound, in characters (lines past it are counted, not shown). */
export const MAX_STATUS_TEXT = 12_000;
const SHOWN_REJECTIONS = 20;
const SHOWN_HELD = 20;
/** Kept records listed by name; the rest are counted (from the outbox head). */
const SHOWN_KEPT = 20;
/** Outbox rows read for that list, at most: one status write never reads all of them. */
const KEPT_ROWS_READ = 8;
const KEY_CHARS = 80;
const REASON_CHARS = 240;

/** What is counted since install (the row's first write). */
export const STATUS_COUNTS = [
  'rejected',
  'held',
  'notHeld',
  'released',
  'discarded',
  'heldSuperseded',
  'parked',
  'parkedDelivered',
  'dropped',
  'kept',
  'keptDropped',
] as const;
export type StatusCount = (typeof STATUS_COUNTS)[number];
export type StatusCounts = Record<StatusCount, number>;

const COUNT_WORDS: Record<StatusCount, string> = {
  rejected: 'rejected',
  held: 'deletes held',
  notHeld: 'deletes rejected (held list full)',
  released: 'held deletes released',
  discarded: 'held deletes discarded',
  heldSuperseded: 'held deletes superseded by newer events',
  parked: 'parked in the outbox',
  parkedDelivered: 'delivered from the outbox',
  dropped: 'dropped from the full outbox',
  kept: "kept for a retry (rejected because of Bynder's state)",
  keptDropped: 'not kept for a retry (past the bound for them)',
};

interface StatusRowValue extends StoredRow {
  since: number;
  counts: Partial<StatusCounts>;
  /** When something counted here last changed, and when the text was last written (ms). */
  changedAt: number;
  refreshedAt: number;
  /** A change came that the text does not show yet (held back by the minute). */
  stale: boolean;
}

export const SYNC_STATUS_ROW = stateRow<StatusRowValue>(KV_ROWS.syncStatus, {
  schema: z.object({
    since: z.number().catch(0),
    counts: z.record(z.string(), z.number()).catch({}),
    changedAt: z.number().catch(0),
    refreshedAt: z.number().catch(0),
    stale: z.boolean().catch(false),
  }),
  empty: () => ({ since: 0, counts: {}, changedAt: 0, refreshedAt: 0, stale: false }),
});

export interface StatusDeps {
  kvStore: KeyValueStore;
  settings: SettingsStore;
  /** Read when the text is written: every stored credential is redacted from it (a second guard). */
  secrets: SettingsStore;
  clock: Clock;
  logger: Logger;
  random?: Random;
}

/**
 * Adds `delta` to the counts since install and writes the text when the last write is a minute old
 * (or `force`). Nothing at all when `delta` counts nothing and nothing is forced. Never throws: the
 * status is a view, and a failure to write it is logged.
 */
export async function noteSyncStatus(
  delta: Partial<StatusCounts>,
  deps: StatusDeps,
  options: { force?: boolean; head?: OutboxHead } = {},
): Promise<void> {
  const changed = STATUS_COUNTS.some((c) => (delta[c] ?? 0) > 0);
  if (!changed && !options.force) return;
  try {
    const now = deps.clock.now();
    let refresh = false;
    const outcome = await updateStateRow(deps, SYNC_STATUS_ROW, (current) => {
      refresh = options.force === true || now - current.refreshedAt >= SYNC_STATUS_REFRESH_MS;
      const counts = { ...current.counts };
      for (const c of STATUS_COUNTS) if ((delta[c] ?? 0) > 0) counts[c] = (counts[c] ?? 0) + (delta[c] ?? 0);
      return {
        since: current.since || now,
        counts,
        changedAt: changed ? now : current.changedAt,
        refreshedAt: refresh ? now : current.refreshedAt,
        stale: refresh ? false : changed || current.stale,
      };
    });
    const row = writtenOrThrow(outcome, KV_ROWS.syncStatus.key);
    if (refresh) await writeStatusText(row, deps, options.head);
  } catch (error) {
    deps.logger.warn(
      'Could not update the Sync status section of the settings; it shows older figures:',
      error,
    );
  }
}

/** For the scheduled job: writes the text when a change came after its last write. One read. */
export async function refreshStaleSyncStatus(deps: StatusDeps): Promise<void> {
  try {
    const row = await readStateRow(deps.kvStore, SYNC_STATUS_ROW);
    if (row.stale) await noteSyncStatus({}, deps, { force: true });
  } catch (error) {
    deps.logger.warn('Could not read the Sync status row:', error);
  }
}

async function writeStatusText(row: StatusRowValue, deps: StatusDeps, head?: OutboxHead): Promise<void> {
  const outbox = head ?? (await readOutboxHead(deps.kvStore));
  const [held, kept, rejections] = await Promise.all([
    heldCount(outbox) > 0 ? readHeldDeletes(deps.kvStore, outbox) : Promise.resolve([]),
    keptCount(outbox) > 0 ? readKeptRecords(deps.kvStore, outbox, KEPT_ROWS_READ) : Promise.resolve([]),
    readRejectionLog(deps.kvStore),
  ]);
  // Our texts name no credential; as the notices do, the stored ones are redacted all the same.
  const secrets = secretsOfFields(await deps.secrets.get(SECTION.connection).catch(() => ({})));
  const redact = (value: string) => redactSecrets(value, secrets);
  const text = statusText({ row, outbox, held, kept, rejections, now: deps.clock.now(), redact });
  await deps.settings.put(SYNC_STATUS_SECTION, {
    text,
    updated_at: new Date(deps.clock.now()).toISOString(),
  });
}

/**
 * Text from records or people, made inert for the form (`escapeMarkdown`), cut to `max` characters
 * first so that a cut never splits a character reference.
 */
export function escapeForForm(text: string, max: number): string {
  return escapeMarkdown(shorten(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' '), max));
}

function when(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'unknown';
}

const n = (value: number) => value.toLocaleString('en-US');

/** The section's text: bounded, from stored values only, every outside text escaped. */
export function statusText(input: {
  row: Pick<StatusRowValue, 'since' | 'counts'>;
  outbox: OutboxHead;
  held: readonly HeldEntry[];
  /** Records kept for a retry (rejected because of Bynder's state), a sample, oldest first. */
  kept?: readonly ParkedRecord[];
  rejections: readonly RejectionLogEntry[];
  now: number;
  /** Applied to each outside text before it is escaped. */
  redact?: (value: string) => string;
}): string {
  const { row, outbox, held, rejections } = input;
  const redact = input.redact ?? ((value: string) => value);
  const inert = (value: string, max: number) => escapeForForm(redact(value), max);
  const blocks: string[][] = [];
  blocks.push([
    `Updated ${when(input.now)} (at most once a minute after a change; press Refresh for now). Counts since ${when(row.since)}:`,
    STATUS_COUNTS.map((c) => `${n(row.counts[c] ?? 0)} ${COUNT_WORDS[c]}`).join(' · ') + '.',
  ]);

  const heldLines = [
    held.length === 0
      ? '**Held deletes:** none.'
      : `**Held deletes:** ${n(held.length)}, oldest first. Release them (they are then sent) or discard them with the buttons below.`,
    ...held
      .slice(0, SHOWN_HELD)
      .map(
        (e) =>
          `- ${inert(String(e.kind), 10)} of key ${inert(e.key, KEY_CHARS)}, sync ${inert(e.syncName || e.sync, 60)}, held ${when(e.heldAt)}`,
      ),
    ...(held.length > SHOWN_HELD ? [`- and ${n(held.length - SHOWN_HELD)} more`] : []),
  ];
  blocks.push(heldLines);

  const dropped = outbox.dropped.map((d) => inert(d.key ?? '(key not read)', KEY_CHARS));
  blocks.push([
    `**Outbox:** ${n(parkedCount(outbox))} parked records (the app delivers them itself); ${n(outbox.droppedTotal)} dropped since install${dropped.length > 0 ? `, latest: ${dropped.slice(-5).join(', ')}` : ''}.`,
  ]);

  const kept = input.kept ?? [];
  const keptInAll = Math.max(keptCount(outbox), kept.length);
  const shownKept = kept.slice(0, SHOWN_KEPT);
  blocks.push([
    keptInAll === 0
      ? '**Kept for a retry:** none.'
      : `**Kept for a retry:** ${n(keptInAll)} records rejected because of Bynder's state (an option or an asset missing), sent again once that changes.`,
    ...shownKept.map(
      (r) =>
        `- key ${inert(r.key ?? '(key not read)', KEY_CHARS)}, sync ${inert(r.sync, 60)}, kept ${when(r.parkedAt)}, tried again ${n(r.tries ?? 0)} times: ${inert(r.cause, REASON_CHARS)}`,
    ),
    ...(keptInAll > shownKept.length ? [`- and ${n(keptInAll - shownKept.length)} more`] : []),
  ]);

  const latest = [...rejections].sort((a, b) => b.at - a.at).slice(0, SHOWN_REJECTIONS);
  blocks.push([
    latest.length === 0
      ? '**Latest rejections:** none kept.'
      : `**Latest rejections** (newest first, ${latest.length} of the ${n(rejections.length)} kept):`,
    ...latest.map(
      (r) =>
        `- ${when(r.at)}, sync ${inert(r.sync, 60)}, key ${inert(r.key ?? r.subject, KEY_CHARS)}${r.field ? `, field ${inert(r.field, 62)}` : ''}: ${inert(r.reason, REASON_CHARS)}`,
    ),
  ]);
  blocks.push([
    "Logs: the app's Troubleshooting tab in OCP has one line per batch; the Activity Log has the notices.",
  ]);
  return bounded(blocks);
}

/** The blocks joined, line by line, while they fit MAX_STATUS_TEXT; the rest counted. */
function bounded(blocks: readonly string[][]): string {
  const out: string[] = [];
  let used = 0;
  let left = 0;
  for (const block of blocks) {
    if (block.length === 0) continue;
    for (const line of block) {
      if (used + line.length + 1 > MAX_STATUS_TEXT - 60) {
        left += 1;
        continue;
      }
      out.push(line);
      used += line.length + 1;
    }
    out.push('');
  }
  if (left > 0) out.push(`(${n(left)} more lines left out: the text is bounded.)`);
  return out.join('\n').trim();
}
