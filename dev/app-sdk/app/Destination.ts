/** The data sync that produced a batch. */
export interface DataSync {
  id: string;
  name: string;
}

/** One batch as OCP hands it to `deliver()`: a flat list of items; deletes carry `_isDeleted: true`. */
export interface DestinationBatch<T extends { _isDeleted?: boolean }> {
  items: T[];
  attempt: number;
  sync: DataSync;
}

export interface DestinationDeliverResult {
  success: boolean;
  /** Whether OCP should send the batch again (spelt `retryable`, as in the SDK). */
  retryable?: boolean;
  failureReason?: string;
}

export interface DestinationReadyResult {
  ready: boolean;
  message?: string;
}

/**
 * A data-sync destination. The platform constructs it with no arguments, so configuration comes
 * from `storage`. `T` must be able to carry `_isDeleted` (a weak-type constraint, as in the SDK).
 */
export abstract class Destination<T extends { _isDeleted?: boolean }> {
  /** Whether credentials and configuration are present and valid (cache what you can). */
  public abstract ready(): Promise<DestinationReadyResult>;

  /** Delivers one batch to the external system. */
  public abstract deliver(batch: DestinationBatch<T>): Promise<DestinationDeliverResult>;
}
