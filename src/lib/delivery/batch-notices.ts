import {
  credentialsNotice,
  heldDeletesNotice,
  type NoticeDeps,
  notifyCreatedOptions,
  notifyDroppedFields,
  notifyOutboxDropped,
  notifyParkedDelivered,
  notifyRecordsParked,
  rateLimitNotice,
  type Rejections,
  rejectionsNotice,
  sendThrottled,
  type SyncRef,
} from '../notices/notices';
import type { Notice } from '../notices/notifier';
import { noticeTexts } from '../messages';
import { shorten } from '../shorten';
import type { BatchEnd, HeldOutcome, RejectedOutcome } from './outcome';
import { countOutcomes, describeCauses, reasonOf } from './outcome';
import { reasonKind } from './reason-kind';

// Where a batch ends, what it tells an administrator in OCP's Activity Log: read from the batch's
// end here, worded and sent (each cause at most once an hour per sync) by the notices module.

/** What a batch's end gives an administrator to act on, besides dropped fields: a block, refused credentials, rejections. */
export function batchNotices(end: BatchEnd, sync: SyncRef): Notice[] {
  const notices: Notice[] = [];
  const stop = end.stop;
  if (stop?.stoppedBy?.kind === 'rate_limit') {
    notices.push(rateLimitNotice(stop.stoppedBy.blockedUntil, sync));
  } else if (stop?.stoppedBy) notices.push(credentialsNotice(stop.stoppedBy.kind, stop.message));
  const rejected = end.outcomes.filter((o): o is RejectedOutcome => o.status === 'rejected');
  if (rejected.length > 0) notices.push(rejectionsNotice(rejectionsOf(rejected, end), sync));
  const held = end.outcomes.filter((o): o is HeldOutcome => o.status === 'held');
  if (held.length > 0) {
    const records = held.reduce((sum, o) => sum + o.records.length, 0);
    const perHour = held[0]?.perHour ?? 0;
    notices.push(heldDeletesNotice({ records, inAll: end.heldInAll ?? records, perHour }, sync));
  }
  return notices;
}

/** Sends the notices a batch's end calls for, each cause at most once an hour per sync. Never throws. */
export async function notifyBatch(end: BatchEnd, sync: SyncRef, deps: NoticeDeps): Promise<void> {
  const [credentials, others] = partition(batchNotices(end, sync), (n) => n.cause === 'credentials');
  await Promise.all([
    notifyDroppedFields([...(end.droppedFields ?? [])], sync, deps),
    notifyCreatedOptions(end.createdOptions ?? [], sync, deps),
    sendThrottled(others, deps),
    sendThrottled(credentials, deps, { open: true }),
    notifyOutbox(end, sync, deps),
  ]);
}

/** Records of this batch parked in the outbox, or parked records this batch delivered. */
async function notifyOutbox(end: BatchEnd, sync: SyncRef, deps: NoticeDeps): Promise<void> {
  const { outbox } = end;
  if (!outbox) return;
  if (outbox.held > 0) {
    const cause = describeCauses(end.outcomes);
    const fix = noticeTexts.parkedFix(end.stop?.message);
    await notifyRecordsParked(
      { sync, records: outbox.held, cause, fix, redelivery: outbox.redelivery },
      deps,
    );
  }
  if (outbox.dropped > 0) {
    await notifyOutboxDropped({ sync, records: outbox.dropped, keys: outbox.droppedKeys }, deps);
  }
  const delivered = outbox.replayed > 0 ? countOutcomes(end.outcomes).applied : 0;
  if (delivered > 0) {
    await notifyParkedDelivered({ sync, records: delivered, stillParked: outbox.remaining }, deps);
  }
}

/** The batch's rejected records counted by kind of reason, as the rejections notice reports them. */
function rejectionsOf(rejected: readonly RejectedOutcome[], end: BatchEnd): Rejections {
  const byReason = new Map<string, number>();
  for (const r of rejected) {
    const reason = shorten(reasonKind({ field: r.field, reason: reasonOf(r) }), 160);
    byReason.set(reason, (byReason.get(reason) ?? 0) + r.records.length);
  }
  return {
    count: rejected.reduce((sum, r) => sum + r.records.length, 0),
    total: end.outcomes.reduce((sum, o) => sum + o.records.length, 0),
    byReason,
    subjects: rejected.map((r) => r.subject),
  };
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
