import { MultiBar, Presets } from 'cli-progress';

import type { RunTally } from './run-tally';

// Progress on stderr: a bar on a terminal, one plain line per batch otherwise (CI logs, pipes).
// Progress is measured in bytes of the source read, so nothing has to count the records first.

export interface ProgressReporter {
  update(bytesRead: number, tally: RunTally): void;
  /** A message that must not be torn by the bar. */
  note(line: string): void;
  stop(): void;
}

export function createProgressReporter(options: {
  terminal: NodeJS.WriteStream;
  interactive: boolean;
  totalBytes: number;
  write: (text: string) => void;
}): ProgressReporter {
  const { totalBytes, write } = options;
  const percent = (bytes: number) =>
    totalBytes > 0 ? Math.min(100, Math.floor((bytes / totalBytes) * 100)) : 100;
  const counts = (t: RunTally) =>
    `${t.records} read, ${t.applied} applied, ${t.deleted + t.ignoredDeletes} deletes, ${t.rejected} rejected, ${t.pending} pending`;

  if (!options.interactive) {
    let last = '';
    return {
      update: (bytes, tally) => {
        const line = `batch ${tally.batches}: ${counts(tally)} (${percent(bytes)}% of the source)\n`;
        if (line !== last) write(line);
        last = line;
      },
      note: (line) => write(`${line}\n`),
      stop: () => undefined,
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
    update: (bytes, t) =>
      bar.update(percent(bytes), {
        counts: `${t.records} read: ${t.applied} ok, ${t.deleted + t.ignoredDeletes} del, ${t.rejected} rej, ${t.pending} pend`,
      }),
    note: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}
