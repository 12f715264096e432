import { MultiBar, Presets } from 'cli-progress';

import type { ProgressSnapshot } from './progress-meter';

// Progress on stderr: a bar on a terminal, plain lines otherwise (CI logs, pipes). Both move per
// request (see progress-meter.ts): after each write Bynder accepts, not only when a batch ends.

/** Plain progress lines are at most this often by default: one a second reads well in a CI log. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

export interface ProgressReporter {
  /** After every accepted write and every batch. */
  update(snapshot: ProgressSnapshot): void;
  /** A batch ended; its line is printed once, in batch order (with workers batch 3 may end before 2). */
  batchDone(batch: number, line: string): void;
  /** A message that must not be torn by the bar. */
  note(line: string): void;
  stop(): void;
}

export function createProgressReporter(options: {
  terminal: NodeJS.WriteStream;
  interactive: boolean;
  write: (text: string) => void;
  /** Plain lines: the least time between two progress lines (0: one per update). */
  intervalMs?: number;
  now?: () => number;
}): ProgressReporter {
  const { write } = options;
  if (!options.interactive) {
    const intervalMs = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    const now = options.now ?? (() => performance.now());
    let last = '';
    let lastAt = -Infinity;
    const batchLines = inBatchOrder((line) => write(`${line}\n`));
    return {
      update: (snapshot) => {
        const line = `progress: ${describeProgress(snapshot)}`;
        if (line === last || now() - lastAt < intervalMs) return;
        write(`${line}\n`);
        last = line;
        lastAt = now();
      },
      batchDone: (batch, line) => batchLines.add(batch, line),
      note: (line) => write(`${line}\n`),
      stop: () => batchLines.flush(),
    };
  }
  const bars = new MultiBar(
    {
      stream: options.terminal,
      format: 'sync [{bar}] {percentage}% | {counts}',
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const bar = bars.create(100, 0, { counts: 'starting' });
  return {
    // Short enough for an 80-column terminal.
    update: (s) => {
      const t = s.tally;
      bar.update(s.percent, {
        counts:
          `${s.done}/${s.expectedIsExact ? '' : '~'}${s.expected}, ${s.recordsPerSecond.toFixed(1)}/s, ` +
          `ETA ${formatEta(s.etaSeconds)} | ${t.rejected} rej, ${t.pending} pend`,
      });
    },
    // The bar shows the totals; a line per batch would scroll it away.
    batchDone: () => undefined,
    note: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

/** "240 of ~500 records (48%), 26.1 records/s, ETA 10 s: 200 applied, 12 deletes, 20 rejected, 0 pending" */
export function describeProgress(s: ProgressSnapshot): string {
  const t = s.tally;
  return (
    `${s.done} of ${s.expectedIsExact ? '' : '~'}${s.expected} records (${s.percent}%), ` +
    `${s.recordsPerSecond.toFixed(1)} records/s, ETA ${formatEta(s.etaSeconds)}: ` +
    `${t.applied} applied, ${t.deleted + t.ignoredDeletes} deletes, ${t.rejected} rejected, ${t.pending} pending`
  );
}

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const whole = Math.ceil(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** Lines numbered from 1, written in that order: a line waits for every lower number's. */
export function inBatchOrder(write: (line: string) => void): {
  add(batch: number, line: string): void;
  /** Writes what still waits (a run that stopped early), in order. */
  flush(): void;
} {
  const waiting = new Map<number, string>();
  let next = 1;
  return {
    add(batch, line) {
      if (batch < next || waiting.has(batch)) return; // once per batch
      waiting.set(batch, line);
      for (let ready = waiting.get(next); ready !== undefined; ready = waiting.get(next)) {
        write(ready);
        waiting.delete(next);
        next += 1;
      }
    },
    flush() {
      for (const batch of [...waiting.keys()].sort((a, b) => a - b)) write(waiting.get(batch) ?? '');
      waiting.clear();
    },
  };
}
