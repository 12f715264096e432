import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

import type { DestinationBatch, DestinationDeliverResult } from '@zaiusinc/app-sdk';

import type { AssetItem, RejectionLogEntry } from '../../../../src/lib/delivery';
import { type LineCounts, NO_LINE_COUNTS } from '../summary/batch-line-capture';
import type { CapturedNotification } from '../summary/notification-capture';
import type { HttpExchange } from '../targets/http-request-counter';
import type { ScaledClockSpec } from './scaled-clock';
import type { StoreServer } from './store-server';
import type { FromWorker, ToWorker } from './store-protocol';

// N worker processes delivering batches at once, like OCP's workers: a batch goes to whichever
// worker is free (re-deliveries too), and a worker that dies mid-batch fails that batch as
// retryable (OCP retries an invocation that never answered) and is replaced.

const WORKER_MAIN = path.join(__dirname, 'worker-main.ts');

export interface WorkerPoolOptions {
  size: number;
  server: StoreServer;
  /** Each worker keeps the budget's row to itself: pacing per process, for comparison. */
  perProcessPacing?: boolean;
  env?: NodeJS.ProcessEnv;
  /** What the workers write (the app's log lines): to this process's streams (default) or nowhere. */
  output?: 'forward' | 'ignore';
  /** Activity Log notices a worker sent, as they arrive with its answers. */
  onNotices?: (notices: readonly CapturedNotification[]) => void;
  /**
   * Workers report each HTTP request they make, to `onHttp` and to the delivery's own listener (the
   * runner's progress per write, its count for a real portal). Off (the default) they send nothing
   * extra: two messages per request load the IPC the stores use.
   */
  forwardHttp?: boolean;
  onHttp?: (exchange: HttpExchange) => void;
  /** Every worker's deliver() runs on this scaled clock (see scaled-clock.ts); unset: real time. */
  clock?: ScaledClockSpec;
}

/** One attempt's answer, with the rejection-log entries that attempt wrote. */
export interface WorkerDelivery {
  result: DestinationDeliverResult;
  rejections: RejectionLogEntry[];
  /** Its batch line's counts (unchanged, created, versioned, queued for creation). */
  counts: LineCounts;
}

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy?: { id: number; resolve: (delivery: WorkerDelivery) => void; onHttp?: OnHttp };
  /** Resolves when the worker confirmed this total jump of the scaled clock. */
  clockSet?: { jumpedMs: number; resolve: () => void };
  maxRssKb: number;
}

type OnHttp = (exchange: HttpExchange) => void;

export interface WorkerPool {
  readonly size: number;
  deliver(batch: DestinationBatch<AssetItem>): Promise<DestinationDeliverResult>;
  /**
   * deliver(), with the rejection-log entries the attempt wrote (several batches share the log);
   * `onHttp` hears each HTTP request of this attempt as it happens (the runner's progress).
   */
  deliverReporting(batch: DestinationBatch<AssetItem>, onHttp?: OnHttp): Promise<WorkerDelivery>;
  /** Tells every worker the scaled clock's total jump; resolves when all have it. */
  jumpClock(jumpedMs: number): Promise<void>;
  /** Kills a worker that is delivering now (the chaos run's "worker killed mid-batch"); false if none is. */
  killBusyWorker(): boolean;
  /** Peak resident memory of each worker that answered so far, in KiB (replaced workers included). */
  peakRssKb(): number[];
  readonly replaced: number;
  close(): Promise<void>;
}

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { size, server } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`--workers must be 1 or more, got ${size}`);
  const slots: Slot[] = [];
  const queue: Array<{
    batch: DestinationBatch<AssetItem>;
    resolve: (d: WorkerDelivery) => void;
    onHttp?: OnHttp;
  }> = [];
  const peaks: number[] = [];
  let nextId = 0;
  let replaced = 0;
  let closing = false;
  let jumped = 0;

  const spawn = (index: number): Slot => {
    const child = fork(WORKER_MAIN, [], {
      // tsx runs the TypeScript worker; the SDK resolves as in the parent. The worker is CommonJS
      // all through, so tsx's require hook is enough: its import hook would start a loader thread
      // in every worker, a third of the worker's start-up CPU.
      execArgv: ['--require', 'tsx/cjs'],
      env: {
        ...process.env,
        // As the runner logs when LOG_LEVEL is unset (debug would send every request's line here).
        LOG_LEVEL: process.env.LOG_LEVEL || 'info',
        ...options.env,
        PER_PROCESS_PACING: options.perProcessPacing ? '1' : '0',
        LOCAL_OCP_CLOCK: options.clock ? JSON.stringify({ ...options.clock }) : '',
        LOCAL_OCP_FORWARD_HTTP: options.forwardHttp ? '1' : '0',
      },
      stdio:
        options.output === 'ignore'
          ? ['ignore', 'ignore', 'ignore', 'ipc']
          : ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // The app's log lines go where this process's own go (the runner sends them to the app log).
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    let markReady: () => void = () => undefined;
    const slot: Slot = { child, ready: new Promise((r) => (markReady = r)), maxRssKb: 0 };
    child.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        // A replacement starts from the jump the others have.
        if (jumped !== 0) child.send({ type: 'clock-jump', jumpedMs: jumped } satisfies ToWorker);
        markReady();
        dispatch();
      } else if (message.type === 'http') {
        options.onHttp?.(message.exchange);
        if (slot.busy && slot.busy.id === message.delivery) slot.busy.onHttp?.(message.exchange);
      } else if (message.type === 'clock-set') {
        if (slot.clockSet?.jumpedMs === message.jumpedMs) slot.clockSet.resolve();
      } else if (message.type === 'store') {
        void server.handle(message.request).then((answer) => {
          if (child.connected) {
            child.send({ type: 'store-answer', id: message.id, answer } satisfies ToWorker);
          }
        });
      } else if (message.type === 'delivered' && slot.busy?.id === message.id) {
        slot.maxRssKb = Math.max(slot.maxRssKb, message.maxRssKb);
        if (message.notices.length > 0) options.onNotices?.(message.notices);
        const { resolve } = slot.busy;
        slot.busy = undefined;
        resolve({
          result: message.result as DestinationDeliverResult,
          rejections: message.rejections,
          counts: message.counts,
        });
        dispatch();
      }
    });
    child.on('exit', (code, signal) => {
      peaks.push(slot.maxRssKb);
      slot.clockSet?.resolve(); // its replacement is told the jump when it is ready
      const busy = slot.busy;
      slot.busy = undefined;
      if (closing) return;
      replaced += 1;
      slots[index] = spawn(index);
      busy?.resolve({
        result: {
          success: false,
          retryable: true,
          failureReason: `the worker delivering this batch died (${signal ?? `exit code ${String(code)}`}) before it answered`,
        },
        rejections: [],
        counts: NO_LINE_COUNTS,
      });
    });
    return slot;
  };

  function dispatch(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.busy || !slot.child.connected) continue;
      void slot.ready.then(() => {
        if (slot.busy || queue.length === 0 || !slot.child.connected) return;
        const task = queue.shift();
        if (!task) return;
        nextId += 1;
        slot.busy = { id: nextId, resolve: task.resolve, onHttp: task.onHttp };
        const batch = { items: [...task.batch.items], attempt: task.batch.attempt, sync: task.batch.sync };
        slot.child.send({ type: 'deliver', id: nextId, batch } satisfies ToWorker);
      });
    }
  }

  for (let i = 0; i < size; i++) slots.push(spawn(i));

  const deliverReporting = (batch: DestinationBatch<AssetItem>, onHttp?: OnHttp): Promise<WorkerDelivery> =>
    new Promise((resolve) => {
      queue.push({ batch, resolve, onHttp });
      dispatch();
    });

  return {
    size,
    deliverReporting,
    deliver: async (batch) => (await deliverReporting(batch)).result,
    jumpClock: async (jumpedMs) => {
      jumped = jumpedMs;
      await Promise.all(
        slots.map(async (slot) => {
          await slot.ready;
          if (!slot.child.connected) return;
          await new Promise<void>((resolve) => {
            slot.clockSet = { jumpedMs, resolve };
            slot.child.send({ type: 'clock-jump', jumpedMs } satisfies ToWorker);
          });
        }),
      );
    },
    killBusyWorker: () => {
      const victim = slots.find((slot) => slot.busy);
      if (!victim) return false;
      victim.child.kill('SIGKILL');
      return true;
    },
    // A worker that never answered has no figure yet.
    peakRssKb: () => [...peaks, ...slots.map((slot) => slot.maxRssKb)].filter((kb) => kb > 0),
    get replaced() {
      return replaced;
    },
    close: async () => {
      closing = true;
      await Promise.all(
        slots.map(
          (slot) =>
            new Promise<void>((resolve) => {
              if (slot.child.exitCode !== null || slot.child.signalCode !== null) return resolve();
              slot.child.once('exit', () => resolve());
              slot.child.disconnect();
            }),
        ),
      );
    },
  };
}
