import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

// stdout is reserved for the summary (or the --json document), stderr for the runner's own progress
// and messages. The app under test logs through the SDK logger, which writes JSON lines to
// stdout/stderr; while a run is on, everything else written to either stream goes to the app log file
// instead, so it never mixes into the summary. The runner writes through the original functions.

type Write = typeof process.stdout.write;

export interface CapturedOutput {
  /** Writes to the real stdout. */
  out(text: string): void;
  /** Writes to the real stderr. */
  err(text: string): void;
  /** process.stderr with write() going to the real stderr, for cli-progress. */
  terminal: NodeJS.WriteStream;
  logFile: string;
  restore(): Promise<void>;
}

export function captureAppOutput(logFile: string): CapturedOutput {
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const realOut: Write = process.stdout.write.bind(process.stdout);
  const realErr: Write = process.stderr.write.bind(process.stderr);
  const toLog = ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown) => {
    log.write(chunk);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as Write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  const terminal = Object.create(process.stderr, { write: { value: realErr } }) as NodeJS.WriteStream;
  let restored = false;
  return {
    out: (text) => void realOut(text),
    err: (text) => void realErr(text),
    terminal,
    logFile,
    async restore() {
      if (restored) return;
      restored = true;
      process.stdout.write = realOut;
      process.stderr.write = realErr;
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}
