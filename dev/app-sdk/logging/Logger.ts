import { inspect } from 'node:util';

import { DEFAULT_LOG_LEVEL, LOG_LEVELS_BY_STRING, LogLevel, LogVisibility } from './LogLevel';

export interface ILogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

interface LogContext {
  app_id?: string;
  app_version?: string;
  entry_point?: string;
  tracker_id?: string;
  [field: string]: unknown;
}

const LEVEL_NAMES: Record<Exclude<LogLevel, LogLevel.NEVER>, string> = {
  [LogLevel.Debug]: 'debug',
  [LogLevel.Info]: 'info',
  [LogLevel.Warn]: 'warn',
  [LogLevel.Error]: 'error',
};
const DEFAULT_MAX_MESSAGE_LENGTH = 4096;

let moduleLevel: LogLevel | undefined;
/** The platform fills this per invocation (app id, version, entry point); locally nothing does. */
const logContext: LogContext = {};

/** Sets the level for every later call; overrides LOG_LEVEL. */
export function setLogLevel(level: LogLevel): void {
  moduleLevel = level;
}

// Read at call time, so a test or the CLI may change LOG_LEVEL after this module loaded.
function activeLevel(): LogLevel {
  if (moduleLevel !== undefined) return moduleLevel;
  const fromEnv = process.env.LOG_LEVEL?.trim().toLowerCase();
  return (fromEnv && LOG_LEVELS_BY_STRING[fromEnv]) || DEFAULT_LOG_LEVEL;
}

function maxMessageLength(): number {
  const configured = Number(process.env.LOG_MAX_MESSAGE_LENGTH);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_MESSAGE_LENGTH;
}

function render(args: unknown[]): { message: string; stacktrace?: string } {
  let stacktrace: string | undefined;
  const parts = args.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (arg instanceof Error) {
      stacktrace ??= arg.stack;
      return `${arg.name}: ${arg.message}`;
    }
    return inspect(arg, { depth: 5 });
  });
  let message = parts.join(' ');
  const max = maxMessageLength();
  if (message.length > max) message = `${message.slice(0, max - 3)}...`;
  return { message, stacktrace };
}

/** Writes one JSON line per call: stdout, or stderr for errors. */
export class Logger implements ILogger {
  public debug(...args: unknown[]): void {
    this.log(LogLevel.Debug, args);
  }

  public info(...args: unknown[]): void {
    this.log(LogLevel.Info, args);
  }

  public warn(...args: unknown[]): void {
    this.log(LogLevel.Warn, args);
  }

  public error(...args: unknown[]): void {
    this.log(LogLevel.Error, args);
  }

  private log(level: Exclude<LogLevel, LogLevel.NEVER>, args: unknown[]): void {
    if (level < activeLevel()) return;
    let audience: string = LogVisibility.Developer;
    if (args[0] === LogVisibility.Developer || args[0] === LogVisibility.Zaius) {
      audience = args[0];
      args = args.slice(1);
    }
    const { message, stacktrace } = render(args);
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level: LEVEL_NAMES[level],
      message,
      stacktrace,
      audience,
      context: logContext,
    });
    (level === LogLevel.Error ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

export const logger: ILogger = new Logger();
