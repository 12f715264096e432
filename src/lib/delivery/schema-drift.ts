import type { FieldModel } from '../fields/field';
import type { Clock, Logger } from '../runtime-ports';
import type { BatchPlan, PlanPolicy } from './plan';
import { planBatch } from './plan';

// Schema drift: the batch carries a field the field model does not know (deleted in Bynder, or no
// longer editable). Such a field is dropped from the write with a warning and the rest applied. A
// cached model may simply be behind, so the model is fetched again, once per batch, and only when the
// cached one is older than a minute: a column that stays unknown must not cost requests every batch.

export const MODEL_REFRESH_MIN_AGE_MS = 60_000;

export async function planWithCurrentModel(
  items: readonly unknown[],
  model: FieldModel,
  policy: PlanPolicy,
  alreadyApplied: ReadonlySet<string>,
  deps: { refreshModel: () => Promise<FieldModel>; clock: Clock; logger: Logger },
): Promise<BatchPlan> {
  let plan = planBatch(items, model, policy, alreadyApplied);
  if (plan.unknownFields.size > 0 && deps.clock.now() - model.fetchedAt > MODEL_REFRESH_MIN_AGE_MS) {
    plan = planBatch(items, await deps.refreshModel(), policy, alreadyApplied);
  }
  if (plan.unknownFields.size > 0) {
    const names = [...plan.unknownFields]
      .map(([name, n]) => `"${name}" (${n} record${n === 1 ? '' : 's'})`)
      .join(', ');
    deps.logger.warn(
      `Fields not in Bynder's field model (deleted in Bynder or no longer editable) were dropped from the write, and the rest of each record applied: ${names.slice(0, 1_000)}. Remove them from the mapping in the Sync Manager.`,
    );
  }
  for (const warning of plan.warnings.slice(0, 20)) {
    deps.logger.warn(`Value dropped (unknown options are set to "drop"): ${warning.slice(0, 300)}`);
  }
  return plan;
}
