import { noticeTexts } from '../messages';
import { redactSecrets } from '../redact';
import type { Clock, KeyValueStore, Logger, Notifier, Random } from '../runtime-ports';
import { shorten } from '../shorten';
import {
  claimHourly,
  claimKey,
  closeClaim,
  hasOpenClaim,
  releaseClaims,
  reopenClaim,
} from './notice-throttle';
import { type Notice, NOTICE_ACTIVITY } from './notifier';

// What the app tells an administrator in OCP's Activity Log, and when. Each notice says what
// happened, what it did to the records and what to do, and never holds a secret (texts are built
// from our own messages, and redacted with the stored credentials before they leave). Each cause is
// said at most once an hour per sync (notice-throttle.ts). A notice that cannot be sent is logged;
// it never fails a batch or ready(). What a batch's end calls for is read from it where the batch
// ends, in delivery/; this module decides the notices and sends them, with texts from messages.ts.

export interface NoticeDeps {
  kvStore: KeyValueStore;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** Stored credential values, redacted from every text (ours never hold one; this is a second guard). */
  secrets?: readonly string[];
  /** Draws the claim tokens (the runtime's port, so a test can make them repeat). */
  random?: Random;
}

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

/** One notice naming every dropped field not yet said for this sync within the hour (each its own cause). */
export async function notifyDroppedFields(
  dropped: ReadonlyArray<[string, number]>,
  sync: SyncRef,
  deps: NoticeDeps,
): Promise<void> {
  if (dropped.length === 0) return;
  try {
    const keys = dropped.map(([field]) => claimKey(sync.id, `dropped_field:${field}`));
    const held = await claimHourly(deps.kvStore, deps.clock, keys, { random: deps.random });
    const fresh = dropped.filter((_, i) => held.keys.has(keys[i] ?? ''));
    if (fresh.length > 0 && !(await send(droppedFieldsNotice(fresh, sync), deps))) {
      await releaseClaims(deps.kvStore, deps.clock, held);
    }
  } catch (error) {
    logFailure(deps, 'dropped fields', error);
  }
}

/** One notice naming the options created in Bynder not yet said for this sync within the hour. */
export async function notifyCreatedOptions(
  created: ReadonlyArray<{ metaproperty: string; label: string; name: string }>,
  sync: SyncRef,
  deps: NoticeDeps,
): Promise<void> {
  if (created.length === 0) return;
  try {
    const keys = created.map((c) => claimKey(sync.id, `created_option:${c.metaproperty}|${c.name}`));
    const held = await claimHourly(deps.kvStore, deps.clock, keys, { random: deps.random });
    const fresh = created.filter((_, i) => held.keys.has(keys[i] ?? ''));
    const notice: Notice = {
      severity: 'info',
      cause: 'created_option',
      syncId: sync.id,
      ...noticeTexts.createdOptions(fresh, sync.name),
    };
    if (fresh.length > 0 && !(await send(notice, deps))) {
      await releaseClaims(deps.kvStore, deps.clock, held);
    }
  } catch (error) {
    logFailure(deps, 'created options', error);
  }
}

/** Fields Bynder no longer has, with how many records of the batch carried each. */
export function droppedFieldsNotice(dropped: ReadonlyArray<[string, number]>, sync: SyncRef): Notice {
  return {
    severity: 'warn',
    cause: 'dropped_field',
    syncId: sync.id,
    ...noticeTexts.droppedFields(dropped, sync.name),
  };
}

export function rateLimitNotice(blockedUntil: number, sync: SyncRef): Notice {
  return {
    severity: 'warn',
    cause: 'rate_limit',
    syncId: sync.id,
    ...noticeTexts.rateLimit(blockedUntil, sync.name),
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
    ...noticeTexts.rejections({ count, total, shown, otherReasons }, { keys, moreKeys }, sync.name),
  };
}

// ── ready(): the credentials ────────────────────────────────────────────────────────────────────

/** Deletes and archives past the mass-delete threshold were held back: an error, as nothing sends them. */
export function heldDeletesNotice(
  held: { records: number; inAll: number; perHour: number },
  sync: SyncRef,
): Notice {
  return {
    severity: 'error',
    cause: 'held_deletes',
    syncId: sync.id,
    ...noticeTexts.heldDeletes(held.records, Math.max(held.inAll, held.records), held.perHour, sync.name),
  };
}

export function credentialsNotice(kind: 'credentials' | 'permissions', message: string): Notice {
  return {
    severity: 'error',
    cause: 'credentials',
    syncId: undefined,
    ...noticeTexts.credentials(kind, message),
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
    const closed = await closeClaim(deps.kvStore, deps.clock, CREDENTIALS_KEY, CREDENTIALS_BACK_KEY);
    if (!closed) return;
    const sent = await send(
      {
        severity: 'success',
        cause: 'credentials_work_again',
        syncId: undefined,
        ...noticeTexts.credentialsWorkAgain(check.portalUrl),
      },
      deps,
    );
    if (!sent) await reopenClaim(deps.kvStore, deps.clock, CREDENTIALS_KEY, closed);
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
  await sendThrottled(
    [
      {
        severity: 'warn',
        cause: 'parked',
        syncId: parked.sync.id,
        ...noticeTexts.parked(parked, parked.sync.name),
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
  await sendThrottled(
    [
      {
        severity: 'success',
        cause: 'parked_delivered',
        syncId: sync.id,
        ...noticeTexts.parkedDelivered(records, stillParked, sync.name),
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
    const held = await claimHourly(deps.kvStore, deps.clock, keys, { ...options, random: deps.random });
    const claimed = notices.flatMap((notice, i) => (held.keys.has(keys[i] ?? '') ? [i] : []));
    const sent = await Promise.all(claimed.map((i) => send(notices[i] as Notice, deps)));
    // A notice that could not be sent was not said: its cause is free for the next batch.
    const unsent = claimed.filter((_, j) => !sent[j]).map((i) => keys[i] ?? '');
    await releaseClaims(deps.kvStore, deps.clock, { keys: unsent, token: held.token });
  } catch (error) {
    logFailure(deps, notices.map((n) => n.cause).join(', '), error);
  }
}

/** Sends one notice; false (logged) when the SDK's notifications refused it. */
async function send(notice: Notice, deps: NoticeDeps): Promise<boolean> {
  const clean = (text: string, max: number) => shorten(redactSecrets(text, deps.secrets ?? []), max);
  try {
    await deps.notifier[notice.severity](
      NOTICE_ACTIVITY,
      clean(notice.title, 200),
      clean(notice.summary, 1_000),
      clean(notice.details, 2_000),
    );
    return true;
  } catch (error) {
    logFailure(deps, notice.cause, error);
    return false;
  }
}

function logFailure(deps: NoticeDeps, what: string, error: unknown): void {
  const why = redactSecrets(error instanceof Error ? error.message : String(error), deps.secrets ?? []);
  deps.logger.warn(
    `Could not send the Activity Log notice about ${shorten(what, 200)}: ${shorten(why, 300)}`,
  );
}

/**
 * Records were dropped from the outbox past its byte bound (each row's oldest went): lost for good,
 * so said at once, with the keys, and what to do about them.
 */
export async function notifyOutboxDropped(
  dropped: { sync: SyncRef; records: number; keys: readonly string[] },
  deps: NoticeDeps,
): Promise<void> {
  const { sync, records, keys } = dropped;
  await sendThrottled(
    [
      {
        severity: 'error',
        cause: 'outbox_dropped',
        syncId: sync.id,
        ...noticeTexts.outboxDropped(records, keys, sync.name),
      },
    ],
    deps,
  );
}
