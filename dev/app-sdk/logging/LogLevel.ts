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
  never: LogLevel.NEVER,
};

export const DEFAULT_LOG_LEVEL = LogLevel.Debug;
