import { redactSecrets } from '../redact';
import type { Clock, KeyValueStore, Logger } from '../runtime-ports';
import { shorten } from '../shorten';
import { claimHourly, claimKey, closeClaim, hasOpenClaim } from './notice-throttle';
import { type Notice, NOTICE_ACTIVITY, type Notifier } from './notifier';

// What the app tells an administrator in OCP's Activity Log, and when. Each notice says what
// happened, what it did to the records and what to do, and never holds a secret (texts are built
// from our own messages, and redacted with the stored credentials before they leave). Each cause is
// said at most once an hour per sync (notice-throttle.ts). A notice that cannot be sent is logged;
// it never fails a batch or ready(). What a batch's end calls for is read from it where the batch
// ends, in delivery/; this module holds the texts and the sending.

export interface NoticeDeps {
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** Stored credential values, redacted from every text (ours never hold one; this is a second guard). */
  secrets?: readonly string[];
}

/** Where an administrator sees every batch's outcome and reasons. */
const WHERE_TO_LOOK =
  "Each failed batch and its reasons are listed under the sync's Executions in Data Setup > Sync Manager; the app's Troubleshooting tab has one log line per batch.";
const ONCE_AN_HOUR = 'This notice is sent at most once an hour per sync and cause.';
const CREDENTIALS_KEY = claimKey(undefined, 'credentials');
const CREDENTIALS_BACK_KEY = claimKey(undefined, 'credentials_work_again');
/** Rejections named by key in a notice; the rest are counted. */
const KEYS_SHOWN = 5;
/** Reasons counted separately in a notice; the rest are counted together. */
const REASONS_SHOWN = 5;

export interface SyncRef {
  id: string;
  name: string;
}

// ── After a batch ───────────────────────────────────────────────────────────────────────────────

/** What "the app tries them again" means for parked records, after the batch's stop (if any). */
export function parkedFix(stopMessage: string | undefined): string {
  const retries =
    'The app tries them again at the start of every delivery, when the connection settings are saved, and every 15 minutes from its scheduled job.';
  return stopMessage === undefined ? retries : `${shorten(stopMessage, 200)}. ${retries}`;
}

/** One notice naming every dropped field not yet said for this sync within the hour (each its own cause). */
export async function notifyDroppedFields(
  dropped: ReadonlyArray<[string, number]>,
  sync: SyncRef,
  deps: NoticeDeps,
): Promise<void> {
  if (dropped.length === 0) return;
  try {
    const keys = dropped.map(([field]) => claimKey(sync.id, `dropped_field:${field}`));
    const held = await claimHourly(deps.kvStore, deps.clock, keys);
    const fresh = dropped.filter((_, i) => held.has(keys[i] ?? ''));
    if (fresh.length > 0) await send(droppedFieldsNotice(fresh, sync), deps);
  } catch (error) {
    logFailure(deps, 'dropped fields', error);
  }
}

/** Fields Bynder no longer has, with how many records of the batch carried each. */
export function droppedFieldsNotice(dropped: ReadonlyArray<[string, number]>, sync: SyncRef): Notice {
  const names = dropped.map(([field]) => `"${shorten(field, 62)}"`);
  const counted = dropped
    .map(([field, n]) => `"${shorten(field, 62)}" (${n} record${n === 1 ? '' : 's'})`)
    .join(', ');
  const one = dropped.length === 1;
  return {
    severity: 'warn',
    cause: 'dropped_field',
    syncId: sync.id,
    title: one
      ? `${syncTitle(sync)}: mapped field ${names[0] ?? ''} is no longer in Bynder`
      : `${syncTitle(sync)}: ${dropped.length} mapped fields are no longer in Bynder`,
    summary: `Bynder no longer has ${one ? 'the field' : 'the fields'} ${counted} (deleted in Bynder, or no longer editable), so ${one ? 'its' : 'their'} values were left out of those records; the rest of each record was applied.`,
    details: `Remove ${names.join(', ')} from the sync's field mapping in Data Setup > Sync Manager, or restore ${one ? 'the metaproperty' : 'the metaproperties'} in Bynder. Until then ${one ? 'its' : 'their'} values are dropped from every record. ${ONCE_AN_HOUR}`,
  };
}

export function rateLimitNotice(blockedUntil: number, sync: SyncRef): Notice {
  const until = new Date(blockedUntil).toISOString();
  return {
    severity: 'warn',
    cause: 'rate_limit',
    syncId: sync.id,
    title: `${syncTitle(sync)}: Bynder's rate limit blocked delivery`,
    summary: `Bynder answered "too many requests" (429) and blocks this app's requests until about ${until}; nothing is sent until then, and OCP delivers the batches handed back again later.`,
    details: `Lower "Requests per second" (or "Requests in flight") in the app's Throughput settings, especially when several syncs or other tools use the same Bynder portal. Bynder lifts its block after five minutes without requests. ${WHERE_TO_LOOK} ${ONCE_AN_HOUR}`,
  };
}

/** A batch's rejected records, read from its outcomes. */
export interface Rejections {
  /** Records rejected, and records in the batch. */
  count: number;
  total: number;
  /** Records per kind of reason (already shortened). */
  byReason: ReadonlyMap<string, number>;
  /** Each rejected outcome's subject, in order (e.g. `asset_id "A1"`). */
  subjects: readonly string[];
}

export function rejectionsNotice(rejections: Rejections, sync: SyncRef): Notice {
  const { count, total } = rejections;
  const reasons = [...rejections.byReason].sort(([, a], [, b]) => b - a);
  const shown = reasons.slice(0, REASONS_SHOWN).map(([reason, n]) => `${n} × ${reason}`);
  const otherReasons = reasons.length - shown.length;
  const keys = rejections.subjects.slice(0, KEYS_SHOWN);
  const moreKeys = rejections.subjects.length - keys.length;
  return {
    severity: 'warn',
    cause: 'rejected',
    syncId: sync.id,
    title: `${syncTitle(sync)}: ${count} record${count === 1 ? '' : 's'} rejected`,
    summary: `${count} of ${total} records in a batch were not written to Bynder because of their data (retrying cannot fix them): ${shown.join('; ')}${otherReasons > 0 ? `; and ${otherReasons} other reasons` : ''}.`,
    details: `First rejected: ${keys.join(', ')}${moreKeys > 0 ? ` and ${moreKeys} more` : ''}. Correct the values in the source (or the field mapping) and sync again. ${WHERE_TO_LOOK} ${ONCE_AN_HOUR}`,
  };
}

// ── ready(): the credentials ────────────────────────────────────────────────────────────────────

export function credentialsNotice(kind: 'credentials' | 'permissions', message: string): Notice {
  return {
    severity: 'error',
    cause: 'credentials',
    syncId: undefined,
    title: kind === 'credentials' ? "Bynder refused the app's credentials" : 'Bynder denied the app access',
    summary: message,
    details: `Data syncs to Bynder Assets deliver nothing until this is fixed; OCP does not retry the batches refused meanwhile. Fix it in the app's Connection settings (or in Bynder), then use "Test connection". Another notice says when the credentials work again. ${WHERE_TO_LOOK}`,
  };
}

/**
 * After ready() tested the connection: refused credentials or rights are announced once (not again
 * while they stay refused), and the first successful test after that says they work again.
 */
export async function notifyConnectionCheck(
  check: { ok: true; portalUrl: string } | { ok: false; problem: string; message: string },
  deps: NoticeDeps,
): Promise<void> {
  try {
    if (!check.ok) {
      if (check.problem !== 'credentials' && check.problem !== 'permissions') return;
      await sendThrottled([credentialsNotice(check.problem, check.message)], deps, { open: true });
      return;
    }
    if (!(await hasOpenClaim(deps.kvStore, CREDENTIALS_KEY))) return; // one read when nothing was said
    if (!(await closeClaim(deps.kvStore, deps.clock, CREDENTIALS_KEY, CREDENTIALS_BACK_KEY))) return;
    await send(
      {
        severity: 'success',
        cause: 'credentials_work_again',
        syncId: undefined,
        title: "Bynder accepts the app's credentials again",
        summary: `${check.portalUrl} accepted the app's credentials in a connection test: data syncs to Bynder Assets deliver again.`,
        details: `Batches refused while the credentials did not work are not retried by OCP; run those syncs again if records are missing. ${WHERE_TO_LOOK}`,
      },
      deps,
    );
  } catch (error) {
    logFailure(deps, 'the credentials', error);
  }
}

// ── The outbox ──────────────────────────────────────────────────────────────────────────────────

/**
 * Records OCP will not (`none`) or may not (`possible`: the attempt may be its last, see
 * src/lib/delivery-attempt.ts) deliver again were parked in the outbox: how many, why, and what clears it.
 * `cause` and `fix` are sentences of our own (never record values).
 */
export async function notifyRecordsParked(
  parked: {
    sync: SyncRef;
    records: number;
    cause: string;
    fix: string;
    /** Whether OCP delivers the batch again (redeliveryAfter, src/lib/delivery-attempt.ts), kept as its words. */
    redelivery: 'expected' | 'possible' | 'none';
  },
  deps: NoticeDeps,
): Promise<void> {
  const { sync, records } = parked;
  const them = records === 1 ? 'it' : 'them';
  const ocp =
    parked.redelivery === 'none'
      ? `OCP will not send ${them} again`
      : `OCP may not send ${them} again (this was its third or a later attempt)`;
  await sendThrottled(
    [
      {
        severity: 'warn',
        cause: 'parked',
        syncId: sync.id,
        title: `${syncTitle(sync)}: ${records} record${records === 1 ? '' : 's'} parked for a later delivery`,
        summary: `${records} record${records === 1 ? ' was' : 's were'} not delivered (${shorten(parked.cause, 200)}) and ${ocp}, so the app keeps ${them} and delivers ${them} itself once Bynder accepts them.`,
        details: `${shorten(parked.fix, 600)} Another notice says when parked records are delivered. ${ONCE_AN_HOUR}`,
      },
    ],
    deps,
  );
}

/** Parked records were delivered from the outbox (and how many are still parked). */
export async function notifyParkedDelivered(
  delivered: { sync: SyncRef; records: number; stillParked: number },
  deps: NoticeDeps,
): Promise<void> {
  const { sync, records, stillParked } = delivered;
  const left =
    stillParked > 0 ? `; ${stillParked} are still parked and will be tried again` : '; none are left parked';
  await sendThrottled(
    [
      {
        severity: 'success',
        cause: 'parked_delivered',
        syncId: sync.id,
        title: `${syncTitle(sync)}: ${records} parked record${records === 1 ? '' : 's'} delivered`,
        summary: `${records} record${records === 1 ? '' : 's'} parked earlier ${records === 1 ? 'was' : 'were'} delivered to Bynder${left}.`,
        details: `Nothing to do. ${ONCE_AN_HOUR}`,
      },
    ],
    deps,
  );
}

// ── Sending ─────────────────────────────────────────────────────────────────────────────────────

/** Claims each notice's cause for its sync and sends those this call holds; never throws. */
export async function sendThrottled(
  notices: readonly Notice[],
  deps: NoticeDeps,
  options: { open?: boolean } = {},
): Promise<void> {
  if (notices.length === 0) return;
  try {
    const keys = notices.map((n) => claimKey(n.syncId, n.cause));
    const held = await claimHourly(deps.kvStore, deps.clock, keys, options);
    await Promise.all(notices.filter((_, i) => held.has(keys[i] ?? '')).map((notice) => send(notice, deps)));
  } catch (error) {
    logFailure(deps, notices.map((n) => n.cause).join(', '), error);
  }
}

async function send(notice: Notice, deps: NoticeDeps): Promise<void> {
  const clean = (text: string, max: number) => shorten(redactSecrets(text, deps.secrets ?? []), max);
  try {
    await deps.notifier[notice.severity](
      NOTICE_ACTIVITY,
      clean(notice.title, 200),
      clean(notice.summary, 1_000),
      clean(notice.details, 2_000),
    );
  } catch (error) {
    logFailure(deps, notice.cause, error);
  }
}

function logFailure(deps: NoticeDeps, what: string, error: unknown): void {
  const why = redactSecrets(error instanceof Error ? error.message : String(error), deps.secrets ?? []);
  deps.logger.warn(
    `Could not send the Activity Log notice about ${shorten(what, 200)}: ${shorten(why, 300)}`,
  );
}

function syncTitle(sync: SyncRef): string {
  return `Sync "${shorten(sync.name, 80)}"`;
}

/**
 * Records were dropped from the outbox past its byte bound (each row's oldest went): lost for good,
 * so said at once, with the keys, and what to do about them.
 */
export async function notifyOutboxDropped(
  dropped: { sync: SyncRef; records: number; keys: readonly string[] },
  deps: NoticeDeps,
): Promise<void> {
  const { sync, records } = dropped;
  const keys = shorten(dropped.keys.map((k) => JSON.stringify(shorten(k, 60))).join(', '), 600);
  await sendThrottled(
    [
      {
        severity: 'error',
        cause: 'outbox_dropped',
        syncId: sync.id,
        title: `${syncTitle(sync)}: ${records} parked record${records === 1 ? '' : 's'} dropped, the outbox is full`,
        summary: `The outbox holds records OCP will not send again; it was full, so ${records} of the oldest ${records === 1 ? 'was' : 'were'} dropped and will not reach Bynder (keys: ${keys}).`,
        details: `Fix what keeps records from being delivered (the other notices say what), then run the sync again for these records so OCP sends them once more. ${ONCE_AN_HOUR}`,
      },
    ],
    deps,
  );
}
