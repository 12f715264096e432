import { type AppContext, getAppContext, jobs, logger, notifications, storage } from '@zaiusinc/app-sdk';

import type { Clock, JobTrigger, Random, Runtime } from '../lib/runtime-ports';
import { systemClock, systemRandom } from '../lib/runtime-ports';

/**
 * What an invocation gets, from the SDK's globals: the one runtime every entry point (destinations,
 * jobs, lifecycle) hands src/lib.
 */
export interface SdkDeps extends Runtime {
  /** The install this invocation serves (see InstallScope); never absent on OCP. */
  install: string;
}

/**
 * Time, chance and deliver()'s time budget as tests and the local runner set them, read by every
 * entry point through sdkDeps(). OCP never sets them, so production runs on the system clock, the
 * system's randomness and the default budget.
 */
export const devOverrides: { clock?: Clock; random?: Random; timeBudgetMs?: number; jobs?: JobTrigger } = {};

export function sdkDeps(): SdkDeps {
  // storage's getters resolve the current invocation's stores on every access, so read them per call.
  return {
    settings: storage.settings,
    secrets: storage.secrets,
    kvStore: storage.kvStore,
    logger,
    clock: devOverrides.clock ?? systemClock,
    random: devOverrides.random ?? systemRandom,
    // The SDK's object itself, so its methods are looked up at each call (spies and wrappers see them).
    notifier: notifications,
    install: currentInstall(),
    // The SDK's jobs has no local implementation (it throws outside OCP): the runner and tests set their own.
    // Async, so that a synchronous throw (the SDK's local stub throws before answering a promise) reaches
    // the caller as a rejection, which every caller handles.
    jobs: devOverrides.jobs ?? { trigger: async (name, parameters) => jobs.trigger(name, parameters) },
    ...(devOverrides.timeBudgetMs !== undefined ? { timeBudgetMs: devOverrides.timeBudgetMs } : {}),
  };
}

/**
 * The install, from the SDK's app context (OCP sets it for each invocation). Outside OCP the SDK
 * has none, though its type says otherwise: the process then serves one install.
 */
function currentInstall(): string {
  const context: AppContext | undefined = getAppContext();
  return context ? `${context.trackerId}/${context.installId}` : '';
}
