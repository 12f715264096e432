import { DEFAULTS, SECTION, throughputSettingsSchema } from '../config';
import { createInstallBudget } from '../delivery/install-budget';
import type { Clock, KeyValueStore, SettingsStore } from '../runtime-ports';

/**
 * The install's request budget for a settings-form action (connection test, external key check):
 * its few requests share the timeline with every running deliver(), at the stored throughput (the
 * default until one is saved), so a form pressed during a big sync cannot push the install over.
 */
export async function formBudgetGate(deps: {
  settings: SettingsStore;
  kvStore: KeyValueStore;
  clock: Clock;
}): Promise<() => Promise<void>> {
  const stored = throughputSettingsSchema.safeParse(await deps.settings.get(SECTION.throughput));
  const budget = createInstallBudget({
    requestsPerSecond: stored.success ? stored.data.requests_per_second : DEFAULTS.requestsPerSecond,
    clock: deps.clock,
    kvStore: deps.kvStore,
  });
  return budget.acquire;
}
