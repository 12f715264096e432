import type { DestinationBatch, DestinationDeliverResult, DestinationReadyResult } from '@zaiusinc/app-sdk';
import { Destination } from '@zaiusinc/app-sdk';

/** An item as OCP delivers it: destination field name to value; deletes carry the key and `_isDeleted`. */
export type AssetItem = Record<string, unknown> & { _isDeleted?: boolean };

export class BynderAssetSync extends Destination<AssetItem> {
  public async ready(): Promise<DestinationReadyResult> {
    return { ready: false, message: 'Delivery to Bynder is not built yet in this version of the app.' };
  }

  public async deliver(_batch: DestinationBatch<AssetItem>): Promise<DestinationDeliverResult> {
    return { success: false, retryable: false, failureReason: 'Delivery to Bynder is not built yet.' };
  }
}
