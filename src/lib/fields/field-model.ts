import type { Metaproperty, SkippedMetaproperty } from '../bynder/api-types';
import type { PrimaryKey } from '../config';
import { ConfigError } from '../config';
import type { Logger } from '../runtime-ports';
import { byZindexThenName, compareText } from './compare-text';
import { assignDisplayNames } from './display-names';
import type { Field, FieldModel } from './field';
import { fieldFromMetaproperty, labelOf, leftOutReason } from './field-from-metaproperty';
import { assignFieldNames } from './field-name';
import { buildListChangeFields, isListField } from './list-change-fields';
import { MAX_FIELD_NAME_PINS } from './field-name-pins';
import { findByKeyText, findNearName } from './key-text';
import { buildFileFields } from './file-fields';
import { buildStandardFields, STANDARD_FIELD_NAMES } from './standard-fields';

// Bynder's metaproperties + the standard asset fields → the one field model that both the
// schema function (Sync Manager) and deliver() use.

export interface BuildFieldModelOptions {
  primaryKey: PrimaryKey;
  logger: Logger;
  /** When the metaproperties were fetched from Bynder (ms since epoch). */
  fetchedAt: number;
  /**
   * Metaproperty id → field name, as pinned for this install (field-name-pins.ts). A metaproperty
   * absent from it is left out. Without it, names are computed afresh (tools and tests only: such
   * names can move when metaproperties are added or removed).
   */
  names?: ReadonlyMap<string, string>;
  /** Listed metaproperties the client could not read (listMetaproperties): reported as left out. */
  skipped?: readonly SkippedMetaproperty[];
}

/** How a metaproperty the client could not read appears among the left-out ones. */
export function leftOutUnreadable(entry: SkippedMetaproperty): { name: string; reason: string } {
  const name = entry.name ?? entry.id ?? entry.key;
  const id = entry.id !== undefined && entry.id !== name ? ` (id ${entry.id})` : '';
  return { name, reason: `unreadable in Bynder's listing${id}: ${entry.problem}` };
}

/** Why a metaproperty without a pinned field name is left out (see field-name-pins.ts). */
const UNNAMED_REASON = `without a field name that can be kept (at most ${MAX_FIELD_NAME_PINS} are stored per install; the kvStore did not keep it; or its name now belongs to a standard field)`;

/** How many left-out names the log line lists. */
const LEFT_OUT_LOGGED = 20;

/** The metaproperty that external_key mode matches on: an editable text metaproperty, by Bynder name. */
function findExternalKeyMetaproperty(metaproperties: readonly Metaproperty[], wanted: string): Metaproperty {
  // The same rule as the settings check and the key lookups (key-text.ts): a name in another case is
  // another metaproperty, refused with a hint rather than silently taken.
  const found = findByKeyText(metaproperties, wanted);
  const textNames = metaproperties
    .filter((mp) => mp.type.toLowerCase() === 'text' && leftOutReason(mp) === undefined)
    .map((mp) => mp.name)
    .sort(compareText);
  const choices =
    textNames.length > 0
      ? `text metaproperties: ${textNames.slice(0, 10).join(', ')}${textNames.length > 10 ? ', …' : ''}`
      : 'the portal has no editable text metaproperty';
  const fix = `Choose an editable text metaproperty in the app's Records settings (${choices}).`;
  if (!found) {
    const near = findNearName(metaproperties, wanted);
    const hint = near
      ? ` Did you mean "${near.name}"? Names are compared exactly, letter case included.`
      : '';
    throw new ConfigError(`External key metaproperty "${wanted}" does not exist in Bynder.${hint} ${fix}`);
  }
  if (found.type.toLowerCase() !== 'text') {
    throw new ConfigError(
      `External key metaproperty "${found.name}" is of type "${found.type}", not text. ${fix}`,
    );
  }
  const reason = leftOutReason(found);
  if (reason) throw new ConfigError(`External key metaproperty "${found.name}" is ${reason}. ${fix}`);
  return found;
}

/**
 * Build the field model. Exactly one primary field: asset_id, or in external_key mode the chosen
 * text metaproperty (asset_id is then absent). Order: primary, standard fields, metaproperties by
 * zindex then name. Throws ConfigError when the external-key metaproperty is missing or unsuitable.
 */
export function buildFieldModel(
  metaproperties: readonly Metaproperty[],
  options: BuildFieldModelOptions,
): FieldModel {
  const { primaryKey, logger, fetchedAt } = options;
  const externalKey =
    primaryKey.kind === 'external_key'
      ? findExternalKeyMetaproperty(metaproperties, primaryKey.metaproperty)
      : undefined;

  // Names are assigned over ALL metaproperties, left-out ones included, so a metaproperty that
  // becomes editable later does not rename the others.
  const names = options.names ?? assignFieldNames(metaproperties, STANDARD_FIELD_NAMES);
  const standard = [...buildStandardFields(primaryKey), ...buildFileFields()];
  const leftOut: Array<{ name: string; reason: string }> = (options.skipped ?? []).map(leftOutUnreadable);
  const writable: Metaproperty[] = [];
  for (const mp of [...metaproperties].sort(byZindexThenName)) {
    const reason = names.has(mp.id) ? leftOutReason(mp) : UNNAMED_REASON;
    if (reason) leftOut.push({ name: mp.name, reason });
    else writable.push(mp);
  }
  if (externalKey && !names.has(externalKey.id)) {
    throw new ConfigError(
      `External key metaproperty "${externalKey.name}" ${UNNAMED_REASON}; try again later, or match by Bynder asset id`,
    );
  }
  const displayNames = assignDisplayNames(
    writable.map((mp) => ({ fieldName: names.get(mp.id)!, label: labelOf(mp) })),
    standard.map((field) => field.displayName),
  );

  // leftOutReason kept only the types fieldFromMetaproperty writes, so every one gets its field.
  const metapropertyFields: Field[] = writable.flatMap((mp) => {
    const name = names.get(mp.id) ?? mp.name; // every writable one has a name (checked above)
    const naming = { name, displayName: displayNames.get(name) ?? labelOf(mp), primary: mp === externalKey };
    return fieldFromMetaproperty(mp, naming) ?? [];
  });

  // Each list (a multi-select, the tags) is followed by its "add values" and "remove values" fields.
  const plain = [...standard, ...metapropertyFields];
  const taken = new Set(plain.map((field) => field.name));
  const all = plain.flatMap((field) => {
    if (!isListField(field)) return [field];
    const changes = buildListChangeFields(field, taken);
    leftOut.push(...changes.left);
    for (const change of changes.fields) taken.add(change.name);
    return [field, ...changes.fields];
  });
  if (leftOut.length > 0) {
    const listed = leftOut.slice(0, LEFT_OUT_LOGGED).map((entry) => `${entry.name} (${entry.reason})`);
    logger.info(
      `Bynder field model: left out ${leftOut.length} metaproperties: ${listed.join(', ')}${leftOut.length > LEFT_OUT_LOGGED ? ', …' : ''}`,
    );
  }
  const primary = all.find((field) => field.primary);
  if (!primary) throw new Error('Field model has no primary field'); // unreachable: asset_id or the external key is always there
  const fields = [primary, ...all.filter((field) => field !== primary)];
  return { fields, byName: new Map(fields.map((field) => [field.name, field])), primary, leftOut, fetchedAt };
}
