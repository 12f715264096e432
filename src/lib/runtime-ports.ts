import { randomUUID } from 'node:crypto';

// What src/lib needs from its host, as plain interfaces. The OCP entry points pass the SDK's
// storage and logger (structurally compatible); tests and the local CLI pass their own.

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A row is a flat object of JSON-like values, as the SDK's stores keep them. */
export type StoredRow = Record<string, unknown>;

/** The subset of the SDK's `storage.kvStore` that src/lib uses. TTL is in seconds. */
export interface KeyValueStore {
  /** The row (`{}` when absent or expired); with `fields`, only those fields (a smaller read). */
  get(key: string, fields?: string[]): Promise<StoredRow>;
  put(key: string, value: StoredRow, options?: { ttl?: number }): Promise<unknown>;
  /**
   * With an updater the SDK ignores `options` and the updater owns the TTL: it may set `ttl` on its
   * second argument. Updaters may run several times (compare-and-set retries).
   */
  patch(
    key: string,
    value: StoredRow | ((previous: StoredRow, options: { ttl?: number }) => StoredRow),
    options?: { ttl?: number },
  ): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  /**
   * Adds to a numeric field atomically, creating the row when missing. Its answer is not used: the
   * SDK's local store answers the wrong field (see src/lib/state/state-row.ts).
   */
  increment(key: string, field: string, amount?: number, options?: { ttl?: number }): Promise<unknown>;
}

/** The subset of the SDK's `storage.settings` / `storage.secrets` that src/lib uses. */
export interface SettingsStore {
  get(key: string): Promise<StoredRow>;
  put(key: string, value: StoredRow): Promise<unknown>;
  patch(key: string, value: StoredRow): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/**
 * The Activity Log: the SDK's `notifications` object has these four methods
 * (https://github.com/ZaiusInc/app-sdk, src/notifications). The entry points pass that object itself,
 * so a notice goes through whatever the SDK routes it to, and tests observe it by spying on it.
 */
export interface Notifier {
  info(activity: string, title: string, summary: string, details?: string): Promise<void>;
  success(activity: string, title: string, summary: string, details?: string): Promise<void>;
  warn(activity: string, title: string, summary: string, details?: string): Promise<void>;
  error(activity: string, title: string, summary: string, details?: string): Promise<void>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Where src/lib draws chance: backoff jitter, the pause before a contended row is patched again,
 * and the ids of leases, notice claims and parked records. A port, so a test can fix it.
 */
export interface Random {
  /** A number in [0, 1), as Math.random gives. */
  fraction(): number;
  /** An id no other invocation draws (a UUID). */
  id(): string;
}

export const systemRandom: Random = {
  fraction: () => Math.random(),
  id: () => randomUUID(),
};

/**
 * Which install of the app an invocation serves. OCP keeps workers warm, and one worker may serve
 * invocations of several installs (accounts), two of them possibly on one Bynder portal with
 * different settings. So whatever a module keeps in memory between invocations (the field model,
 * issued OAuth tokens) is keyed by the install as well as the portal. The entry points take it from
 * the SDK's app context; absent (tests, the local runner), the process serves one install.
 */
export interface InstallScope {
  install?: string;
}

/**
 * What one invocation gets from its host: the stores, the logger, the clock, the Activity Log, chance
 * and the time budget. The entry points build it from the SDK (sdkDeps() in src/destinations); every
 * step of src/lib takes the part of it that it uses.
 */
export interface Runtime extends InstallScope {
  settings: SettingsStore;
  secrets: SettingsStore;
  kvStore: KeyValueStore;
  logger: Logger;
  clock: Clock;
  notifier: Notifier;
  random: Random;
  /** deliver()'s time budget in ms; absent, the default (DELIVERY_TIME_BUDGET_MS). */
  timeBudgetMs?: number;
  /** Starts a job of this app now (the SDK's `jobs.trigger`); absent, jobs run on their schedule only. */
  jobs?: JobTrigger;
}

/** The part of the SDK's `jobs` the app uses: start one of its own jobs at once. */
export interface JobTrigger {
  trigger(jobName: string, parameters: Record<string, string>): Promise<unknown>;
}
