// How each record of a batch ends. Every record ends exactly once as applied, rejected (permanent,
// with a reason) or pending (transient: OCP retries the batch). Records are batch positions, so
// events superseded by a later event for the same key share the winner's settlement.

interface SettlementBase {
  /** The record key, when the record had a usable one. */
  key: string | undefined;
  /** How messages name it, e.g. `asset_id "7C1D…"` or `record #4`. */
  subject: string;
  /** Batch positions (0-based) this settlement covers: the winning event and those it superseded. */
  records: readonly number[];
}

export interface AppliedSettlement extends SettlementBase {
  status: 'applied';
}

export interface RejectedSettlement extends SettlementBase {
  status: 'rejected';
  /** The OCP field at fault, when one is. */
  field?: string;
  /** What is wrong and what is allowed; never a secret, values cut short. */
  reason: string;
}

export interface PendingSettlement extends SettlementBase {
  status: 'pending';
  /** Why it was not applied this time, short enough to group by, e.g. `Bynder unavailable`. */
  cause: string;
}

export type Settlement = AppliedSettlement | RejectedSettlement | PendingSettlement;

/** The whole batch pending for one cause, e.g. while a rate-limit block lasts (no request sent). */
export function allPending(total: number, cause: string): PendingSettlement[] {
  if (total === 0) return [];
  return [
    {
      status: 'pending',
      key: undefined,
      subject: 'the batch',
      records: Array.from({ length: total }, (_, i) => i),
      cause,
    },
  ];
}
