export enum LogLevel {
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  /** Silences everything. */
  NEVER = 5,
}

export enum LogVisibility {
  Developer = 'developer',
  Zaius = 'zaius',
}

export const LOG_LEVELS_BY_STRING: { [name: string]: LogLevel } = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warn,
  error: LogLevel.Error,
  NEVER: LogLevel.NEVER,
};

/**
 * LOG_LEVEL as it was when this module loaded, in these exact spellings (debug, info, warn, error,
 * NEVER); anything else means debug. As in the SDK: setting LOG_LEVEL later changes nothing, so a
 * host that wants another level sets it before the SDK loads, or calls `setLogLevel`.
 */
export const DEFAULT_LOG_LEVEL: LogLevel =
  LOG_LEVELS_BY_STRING[process.env.LOG_LEVEL || 'debug'] || LogLevel.Debug;
