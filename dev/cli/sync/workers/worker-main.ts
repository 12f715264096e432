import { BynderAssetSync } from '../../../../src/destinations/BynderAssetSync';
import type { AssetItem, RejectionLogEntry } from '../../../../src/lib/delivery';
import { KV_ROWS } from '../../../../src/lib/state/kv-rows';
import { captureBatchLines } from '../summary/batch-line-capture';
import { captureNotifications } from '../summary/notification-capture';
import { watchHttpExchanges } from '../targets/http-request-counter';
import { scaledClock, type ScaledClockSpec } from './scaled-clock';
import { handStoresToSdk } from './sdk-stores';
import type { FromWorker, StoreAnswer, StoreRequest, StoreTransport, ToWorker } from './store-protocol';
import { createStoreServer } from './store-server';

// One OCP worker: its own process, module state and pacing, running the app's real deliver() for
// each batch the parent hands it. Its stores are the parent's, reached over IPC; nothing else is
// shared. With PER_PROCESS_PACING=1 the budget's row stays in this process (pacing as it was before
// the budget was shared by the install, for the bench's side-by-side); everything else still goes
// to the parent.

const send = (message: FromWorker): void => {
  // After the parent let go (end of run), a late timer's store call has no one to answer it.
  if (process.connected) process.send?.(message);
};
const waiting = new Map<number, (answer: StoreAnswer) => void>();
let nextId = 0;
const ipc: StoreTransport = (request: StoreRequest) =>
  new Promise((resolve) => {
    nextId += 1;
    waiting.set(nextId, resolve);
    send({ type: 'store', id: nextId, request });
  });

const ownRows = createStoreServer();
const budgetKey = KV_ROWS.requestBudget.key;
const routed: StoreTransport =
  process.env.PER_PROCESS_PACING === '1'
    ? (request) => (request.key === budgetKey ? ownRows.handle(request) : ipc(request))
    : ipc;

// Several batches share the app's rejection log, so the runner cannot tell from the log which
// batch rejected what. This worker delivers one batch at a time and sees every write it makes to
// the log (a compare-and-set cycle: the read, then the write): the entries a write adds over its
// read are this batch's.
const rejectionsKey = KV_ROWS.rejections.key;
let lastRead: unknown[] = [];
let added: RejectionLogEntry[] = [];
const transport: StoreTransport = async (request) => {
  const answer = await routed(request);
  if (request.store !== 'kvStore' || request.key !== rejectionsKey || !answer.ok) return answer;
  if (request.op === 'get') lastRead = entriesOf(answer.value);
  if (request.op === 'put') {
    const before = new Map<string, number>();
    for (const entry of lastRead) {
      const text = JSON.stringify(entry);
      before.set(text, (before.get(text) ?? 0) + 1);
    }
    for (const entry of entriesOf(request.value)) {
      const text = JSON.stringify(entry);
      const seen = before.get(text) ?? 0;
      if (seen > 0) before.set(text, seen - 1);
      else added.push(entry as RejectionLogEntry);
    }
  }
  return answer;
};

function entriesOf(row: Record<string, unknown> | undefined): unknown[] {
  return Array.isArray(row?.entries) ? (row.entries as unknown[]) : [];
}

handStoresToSdk(transport);

// A run that must pass long app-side waits in seconds (the chaos test) gives every worker the same
// scaled clock; OCP never does, so deliver() otherwise runs on the system clock.
const clockSpec = process.env.LOCAL_OCP_CLOCK;
const clock = clockSpec ? scaledClock(JSON.parse(clockSpec) as ScaledClockSpec) : undefined;
BynderAssetSync.clockOverride = clock;

const destination = new BynderAssetSync();
const notices = captureNotifications();
// One batch at a time per worker, so the batch lines logged since the last answer are this batch's.
const batchLines = captureBatchLines();

// The parent counts requests to a real portal and shows progress per write: it hears each of this
// worker's requests, tied to the delivery in progress.
let delivering: number | undefined;
if (process.env.LOCAL_OCP_FORWARD_HTTP === '1') {
  watchHttpExchanges((exchange) => send({ type: 'http', delivery: delivering, exchange }));
}

// Ctrl-C in a terminal reaches the whole process group, workers included. The parent decides: it
// lets each worker finish the batch it holds, then ends the workers (see run-sync.ts); a second
// Ctrl-C ends the parent, and the worker follows it through 'disconnect' below.
process.on('SIGINT', () => undefined);

process.on('message', (message: ToWorker) => {
  if (message.type === 'store-answer') {
    const resolve = waiting.get(message.id);
    waiting.delete(message.id);
    resolve?.(message.answer);
    return;
  }
  if (message.type === 'clock-jump') {
    clock?.setJumped(message.jumpedMs);
    send({ type: 'clock-set', jumpedMs: message.jumpedMs });
    return;
  }
  const batch = { ...message.batch, items: message.batch.items as AssetItem[] };
  delivering = message.id;
  void destination
    .deliver(batch)
    .catch((error: unknown) => ({
      success: false,
      retryable: true,
      failureReason: `deliver() threw ${error instanceof Error ? error.message : String(error)}`,
    }))
    .then((result) => {
      // Notices go to the parent with the answer; with several batches at once some may ride on
      // another batch's answer, which only the run's total uses.
      const sent = notices.take();
      const rejections = added;
      added = [];
      const counts = batchLines.take(batch.sync.name);
      const maxRssKb = process.resourceUsage().maxRSS;
      delivering = undefined;
      send({ type: 'delivered', id: message.id, result, maxRssKb, notices: sent, rejections, counts });
    });
});

// The parent going away ends the worker (OCP stops its workers with the run).
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
