import { randomUUID } from 'node:crypto';

import type { BynderApi } from '../bynder/bynder-api';
import { BynderPermissionError, isBynderError } from '../bynder/errors';
import { CREATE_METAPROPERTY_OPTION_ROUTE } from '../bynder/routes';
import type { FieldModel } from '../fields/field';
import { quoteValue } from '../fields/describe-value';
import { type FieldModelDeps, getFieldModel } from '../fields/get-field-model';
import { deriveOptionName } from '../fields/option-name';
import { claimOption, optionClaimKey, settleOptionClaim } from '../state/option-claims';
import { isAssetItem, isDeleteEvent } from './asset-item';
import type { RecordProblem } from './outcome';

// Under "Values that are not an option: create the option", before a batch is planned: every value
// of an option field (or its "add values") that is no option yet becomes one, labelled with the value
// and named as option-name.ts derives it, so planning then finds it like any option. Two invocations
// meeting the same new value end with one option: the state layer's claim (state/option-claims.ts)
// lets one create it while the other's records wait, and Bynder's answer to a repeated name (the
// existing option's id) settles what a claim cannot see. Records whose option cannot be created wait
// when time or a right can fix it (pending, then the outbox), and are rejected when the metaproperty
// takes no new options.

export interface CreatedOption {
  metaproperty: string;
  label: string;
  name: string;
}

export interface OptionCreation {
  /** The model to plan with: fetched again when an option was created (or found created). */
  model: FieldModel;
  /** Batch positions whose new option could not be created yet, with why (they wait). */
  waiting: Map<number, string>;
  /** Batch positions whose new option may not be created, with why (they are rejected). */
  refused: Map<number, RecordProblem[]>;
  created: CreatedOption[];
}

/** The pending cause of records whose option creation lacks the right; the log line says where to grant it. */
export const CREATE_RIGHT_MISSING = 'not sent: creating the option needs METAPROPERTYMANAGEMENT';
const CREATING_ELSEWHERE = 'waiting: another delivery is creating the option';

interface Wanted {
  metapropertyId: string;
  metapropertyLabel: string;
  label: string;
  existingNames: readonly string[];
  records: Set<number>;
}

export async function createMissingOptions(
  items: readonly unknown[],
  model: FieldModel,
  deps: FieldModelDeps & { api: BynderApi },
): Promise<OptionCreation> {
  const result: OptionCreation = { model, waiting: new Map(), refused: new Map(), created: [] };
  if (deps.config.unknownOptions !== 'create') return result;
  const wanted = collectWanted(items, model, result.refused);
  if (wanted.size === 0) return result;

  const owner = randomUUID();
  const namesTaken = new Map<string, string[]>();
  let found = false;
  let missingRight = false;
  for (const want of wanted.values()) {
    const taken = namesTaken.get(want.metapropertyId) ?? [...want.existingNames];
    namesTaken.set(want.metapropertyId, taken);
    const name = deriveOptionName(want.label, taken);
    taken.push(name);
    const key = optionClaimKey(want.metapropertyId, name);
    const wait = (cause: string) => want.records.forEach((index) => result.waiting.set(index, cause));
    const claim = await claimOption(deps.kvStore, deps.clock, key, owner);
    if (claim.kind === 'created') {
      found = true;
      continue;
    }
    if (claim.kind === 'theirs') {
      wait(CREATING_ELSEWHERE);
      continue;
    }
    try {
      const answer = await deps.api.createMetapropertyOption(want.metapropertyId, {
        name,
        label: want.label,
      });
      await settleOptionClaim(deps.kvStore, deps.clock, key, owner, answer.id);
      found = true;
      if (answer.kind === 'created') {
        result.created.push({ metaproperty: want.metapropertyLabel, label: want.label, name });
      }
    } catch (error) {
      await settleOptionClaim(deps.kvStore, deps.clock, key, owner, undefined);
      if (error instanceof BynderPermissionError) {
        missingRight = true;
        wait(CREATE_RIGHT_MISSING);
      } else if (isBynderError(error) && error.pendingCause === undefined) {
        // Bynder refused this option itself (a 400 other than "exists"): the data is at fault.
        const problem = `${quoteValue(want.label)} is not an option of "${want.metapropertyLabel}", and Bynder refused to create it (${error.message}); add the option in Bynder or fix the value`;
        want.records.forEach((index) => result.refused.set(index, [{ problem }]));
      } else if (isBynderError(error)) wait(error.pendingCause ?? 'not sent');
      else throw error;
    }
  }
  if (missingRight) {
    deps.logger.warn(
      `Values that are not an option could not become options: Bynder ${CREATE_METAPROPERTY_OPTION_ROUTE.method} ${CREATE_METAPROPERTY_OPTION_ROUTE.path} needs ${CREATE_METAPROPERTY_OPTION_ROUTE.needs}. The records wait (pending) and are sent once it is granted.`,
    );
  }
  if (result.created.length > 0) {
    const named = result.created.map((c) => `"${c.metaproperty}": ${quoteValue(c.label)} (${c.name})`);
    deps.logger.info(
      `Created ${result.created.length} option(s) in Bynder: ${named.join(', ').slice(0, 1_000)}`,
    );
  }
  // The model planning uses must hold the new options: fetched again, once.
  if (found) result.model = await getFieldModel(deps, { forceRefresh: true });
  return result;
}

/** The options to create, one per metaproperty and label (any letter case); refusals noted per record. */
function collectWanted(
  items: readonly unknown[],
  model: FieldModel,
  refused: Map<number, RecordProblem[]>,
): Map<string, Wanted> {
  const wanted = new Map<string, Wanted>();
  items.forEach((item, index) => {
    if (!isAssetItem(item) || isDeleteEvent(item)) return;
    for (const [name, value] of Object.entries(item)) {
      const creation = model.byName.get(name)?.optionCreation;
      if (!creation) continue;
      for (const label of creation.unknownIn(value)) {
        if (creation.refused !== undefined) {
          const problems = refused.get(index) ?? [];
          // The metaproperty takes no new options from records; one added in Bynder lets it land.
          problems.push({
            field: name,
            problem: `${quoteValue(label)} is not an option; ${creation.refused}`,
            bynder: 'option',
          });
          refused.set(index, problems);
          continue;
        }
        const key = `${creation.metapropertyId}|${label.toLowerCase()}`;
        const entry = wanted.get(key) ?? {
          metapropertyId: creation.metapropertyId,
          metapropertyLabel: creation.label,
          label,
          existingNames: creation.existingNames,
          records: new Set<number>(),
        };
        entry.records.add(index);
        wanted.set(key, entry);
      }
    }
  });
  return wanted;
}
