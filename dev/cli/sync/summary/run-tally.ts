import { reasonKind } from '../../../../src/lib/delivery/reason-kind';

// What happened to every source record. Each record ends in exactly one bucket, so
// records = applied + deleted + ignoredDeletes + rejected + pending + queued + held; `unchanged` counts those
// of applied and deleted that needed no write, `created` and `versioned` those of applied whose asset
// was created or got a new version; `queued` records were handed to the creation job (not applied);
// `held` deletes and archives were held back by the mass-delete threshold (not sent).

export interface Rejection {
  /** The record's primary key as the source gave it; empty when it had none. */
  key: string;
  /** The destination field at fault, `_isDeleted`, or empty when the record as a whole is at fault. */
  field: string;
  reason: string;
  /** Source line of the record (where it ends, for CSV rows spanning lines). */
  line: number;
}

export type RecordOutcome = 'applied' | 'deleted' | 'ignoredDelete' | 'pending';

/** How many rejections the JSON summary and memory keep; the rejections file has all of them. */
const KEPT_REJECTIONS = 1000;

export class RunTally {
  public records = 0;
  public applied = 0;
  public deleted = 0;
  public ignoredDeletes = 0;
  /** Of the applied and deleted records, those Bynder already held: nothing was written for them. */
  public unchanged = 0;
  public rejected = 0;
  public pending = 0;
  public created = 0;
  public versioned = 0;
  public queued = 0;
  public held = 0;
  public batches = 0;
  public retries = 0;
  /** The first KEPT_REJECTIONS rejections, in source order. */
  public readonly rejections: Rejection[] = [];
  /** Rejection count per reason text with values stripped, for "most common reasons". */
  public readonly reasons = new Map<string, number>();
  /** Why records were left pending, with counts. */
  public readonly pendingCauses = new Map<string, number>();

  public count(outcome: RecordOutcome, howMany = 1): void {
    if (outcome === 'ignoredDelete') this.ignoredDeletes += howMany;
    else this[outcome] += howMany;
  }

  public reject(rejection: Rejection): void {
    this.rejected += 1;
    if (this.rejections.length < KEPT_REJECTIONS) this.rejections.push(rejection);
    const reason = reasonKind(rejection);
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  public leavePending(howMany: number, cause: string): void {
    if (howMany <= 0) return;
    this.pending += howMany;
    this.pendingCauses.set(cause, (this.pendingCauses.get(cause) ?? 0) + howMany);
  }
}
