import type { RejectionLogEntry } from '../../../../src/lib/delivery';
import type { LineCounts } from '../summary/batch-line-capture';
import type { CapturedNotification } from '../summary/notification-capture';
import type { HttpExchange } from '../targets/http-request-counter';

// What a worker asks the parent's store server, and what it answers. The parent holds the install's
// stores; workers reach them only through these messages, as OCP's workers reach OCP's store.

export type StoreName = 'settings' | 'secrets' | 'kvStore' | 'sharedKvStore';

export type StoreRequest =
  | { op: 'get'; store: StoreName; key: string }
  /** Writes; with `cas`, only if the row's compare-and-set counter still has that value. */
  | { op: 'put'; store: StoreName; key: string; value: Record<string, unknown>; ttl?: number; cas?: number }
  /** Atomic adds to numeric fields (a missing row or field starts at 0); answers the row after. */
  | { op: 'increment'; store: StoreName; key: string; amounts: Record<string, number>; ttl?: number }
  | { op: 'delete'; store: StoreName; key: string }
  | { op: 'exists'; store: StoreName; key: string };

export type StoreAnswer =
  | { ok: true; cas?: number; value?: Record<string, unknown>; ttl?: number; exists?: boolean }
  | { ok: false; casMismatch: boolean; message: string };

/** Sends one request and resolves with its answer (IPC in a worker, a direct call in the parent). */
export type StoreTransport = (request: StoreRequest) => Promise<StoreAnswer>;

/** Parent to worker. */
export type ToWorker =
  | {
      type: 'deliver';
      id: number;
      batch: { items: unknown[]; attempt: number; sync: { id: string; name: string } };
    }
  | { type: 'store-answer'; id: number; answer: StoreAnswer }
  /** The scaled clock's total jump (see scaled-clock.ts); answered with 'clock-set'. */
  | { type: 'clock-jump'; jumpedMs: number };

/** Worker to parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'clock-set'; jumpedMs: number }
  | { type: 'store'; id: number; request: StoreRequest }
  /** An HTTP request the worker made, during delivery `delivery` (unset between deliveries). */
  | { type: 'http'; delivery?: number; exchange: HttpExchange }
  | {
      type: 'delivered';
      id: number;
      result: unknown;
      maxRssKb: number;
      notices: CapturedNotification[];
      /** The entries this delivery added to the app's rejection log. */
      rejections: RejectionLogEntry[];
      /** Its batch line's counts: unchanged, created, versioned, queued for creation. */
      counts: LineCounts;
    };
