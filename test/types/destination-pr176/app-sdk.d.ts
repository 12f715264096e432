// @zaiusinc/app-sdk as it is once ZaiusInc/app-sdk pull request 176 lands: `Destination<T>` and
// `DestinationBatch<T>` lose the `T extends { _isDeleted?: boolean }` constraint, and a batch's
// items carry the delete flag whatever T is. Everything else is the SDK installed here (the real
// package, or the stand-in), re-exported unchanged; the two declarations below take precedence.
import type { DataSync, DestinationDeliverResult, DestinationReadyResult } from 'app-sdk-as-installed';

export * from 'app-sdk-as-installed';

export interface DestinationBatch<T> {
  items: Array<T & { _isDeleted?: boolean }>;
  attempt: number;
  sync: DataSync;
}

export declare abstract class Destination<T> {
  public abstract ready(): Promise<DestinationReadyResult>;
  public abstract deliver(batch: DestinationBatch<T>): Promise<DestinationDeliverResult>;
}
