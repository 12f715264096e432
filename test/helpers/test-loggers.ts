import type { Logger } from '../../src/lib/runtime-ports';

const ignore = (): void => undefined;

/** A logger that drops every line, for code that must be given one. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A logger that keeps every line it is given, each argument as text, in `lines`. */
export function recordingLogger(lines: string[]): Logger {
  const record = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  return { debug: record, info: record, warn: record, error: record };
}
