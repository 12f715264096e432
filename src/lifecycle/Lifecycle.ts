import type { CanUninstallResult, LifecycleResult, Request, SubmittedFormData } from '@zaiusinc/app-sdk';
import {
  AuthorizationGrantResult,
  Lifecycle as AppLifecycle,
  LifecycleSettingsResult,
} from '@zaiusinc/app-sdk';

import { type SdkDeps, sdkDeps } from '../destinations/sdk-deps';
import { AppError, describeError } from '../lib/app-error';
import { type BatchPreview, previewBatch } from '../lib/delivery/preview';
import { escapeMarkdown } from '../lib/markdown-text';
import { startDeadline } from '../lib/pacing/deadline';
import { redactSecrets } from '../lib/redact';
import { secretsOfFields } from '../lib/secret-values';
import { describePreview, PREVIEW_TIME_BUDGET_MS, readRecordText } from '../lib/settings/record-preview';
import type { ConnectionFailure } from '../lib/bynder/connection-problem';
import {
  type AppConfig,
  ConfigError,
  CREATE_NEEDS_EXTERNAL_KEY_MESSAGE,
  type Credentials,
  type FieldProblem,
  MISSING_BRAND_MESSAGE,
  MISSING_EXTERNAL_KEY_MESSAGE,
  parseConfig,
  readRequestsPerSecond,
  recordsSettingsSchema,
  SECTION,
  SETTING_LABELS,
  throughputSettingsSchema,
  type RecordsSettings,
} from '../lib/config';
import type { FieldModel } from '../lib/fields/field';
import { checkFixedValues, describeFixedValues, parseFixedValues } from '../lib/fields/fixed-values';
import { getFieldModel } from '../lib/fields/get-field-model';
import { deleteAppKvRows } from '../lib/state/kv-rows';
import { forgetBynderCaches, hasConnectionChanged } from '../lib/settings/connection-change';
import { findBrandProblem } from '../lib/settings/brand-check';
import { checkConnection, createFormClient } from '../lib/settings/connection-test';
import { findExternalKeyProblem, metapropertyFactsOf } from '../lib/settings/external-key-check';
import { readConnectionForm, readSectionForm, type StoredConnection } from '../lib/settings/settings-form';
import { readOutbox } from '../lib/state/outbox';
import { discardHeld, releaseHeld } from '../lib/state/held-deletes';
import { noteSyncStatus, SYNC_STATUS_SECTION } from '../lib/state/sync-status';
import { OUTBOX_JOB_EVERY } from '../lib/outbox-schedule';

/** This app signs in with a permanent token or OAuth client credentials; it never sends people to Bynder to log in. */
const NO_AUTHORIZATION_CODE_FLOW =
  'This app does not offer signing in through Bynder (the OAuth authorization-code flow). In "Connect to Bynder", choose a permanent token or OAuth 2.0 client credentials, then test the connection and save.';

/** The toast of a Save whose fields did not pass. */
const NOT_SAVED = 'Nothing was saved: fix the marked fields and save again.';

/** One form action of one section: the submitted values in, the answer for the form out. */
type SettingsHandler = (formData: Record<string, unknown>, deps: SdkDeps) => Promise<LifecycleSettingsResult>;

export class Lifecycle extends AppLifecycle {
  public async onInstall(): Promise<LifecycleResult> {
    // Nothing to create in Bynder: the app only updates existing assets once it is configured.
    sdkDeps().logger.info('Installed; waiting for the connection settings');
    return { success: true };
  }

  /** Routes each section's actions to its handler below; `save` is the section's own Save button. */
  public async onSettingsForm(
    section: string,
    action: string,
    formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult> {
    const deps = sdkDeps();
    const handlers: Readonly<Record<string, Readonly<Record<string, SettingsHandler>>>> = {
      [SECTION.connection]: { save: saveConnection, test_connection: testConnection },
      [SECTION.records]: { save: saveRecords },
      [SECTION.throughput]: { save: saveThroughput },
      // The section stores nothing of its own to save: its Save previews too.
      [SECTION.try_record]: { save: previewRecord, preview: previewRecord },
      [SYNC_STATUS_SECTION]: {
        save: refreshStatus,
        refresh_status: refreshStatus,
        release_held: releaseHeldDeletes,
        discard_held: discardHeldDeletes,
      },
    };
    const actions = Object.hasOwn(handlers, section) ? handlers[section] : undefined;
    const handler = actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!handler) {
      deps.logger.warn(`Settings: no handler for section "${section}", action "${action}"`);
      return new LifecycleSettingsResult().addToast(
        'danger',
        `This version of the app does not handle "${action}" in section "${section}". Reload the settings page; if it persists, reinstall the app.`,
      );
    }
    try {
      return await handler({ ...formData }, deps);
    } catch (error) {
      // Messages from src/lib name no secret; the error's name and message are enough to diagnose.
      deps.logger.error(`Settings: ${section}/${action} failed unexpectedly:`, describeError(error));
      return new LifecycleSettingsResult().addToast(
        'danger',
        'Something went wrong while handling this form, and it may not have been saved. Try again; if it keeps failing, the app logs have the details.',
      );
    }
  }

  public async onUpgrade(fromVersion: string): Promise<LifecycleResult> {
    // The cached Bynder data may have been written in an older layout: drop it (idempotent).
    const deps = sdkDeps();
    try {
      await forgetBynderCaches(deps.kvStore);
      deps.logger.info(`Upgrading from ${fromVersion}: cached Bynder data dropped`);
      return { success: true };
    } catch (error) {
      deps.logger.error(`Upgrade from ${fromVersion} could not clear the caches:`, describeError(error));
      return {
        success: false,
        retryable: true,
        message: 'Could not clear cached Bynder data; try the upgrade again.',
      };
    }
  }

  public async onFinalizeUpgrade(_fromVersion: string): Promise<LifecycleResult> {
    return { success: true };
  }

  public override async onAfterUpgrade(): Promise<LifecycleResult> {
    return { success: true };
  }

  public override async canUninstall(): Promise<CanUninstallResult> {
    // Nothing outside OCP depends on this install (no webhooks in Bynder), so it can always go.
    return { uninstallable: true };
  }

  public async onUninstall(): Promise<LifecycleResult> {
    const deps = sdkDeps();
    const { failed } = await deleteAppKvRows(deps.kvStore, deps.logger);
    if (failed.length > 0) {
      // Deleting is idempotent, so OCP may simply try again.
      return {
        success: false,
        retryable: true,
        message: `Could not delete the app's stored rows ${failed.join(', ')}; try again.`,
      };
    }
    deps.logger.info("Uninstalled: the app's kvStore rows are deleted");
    return { success: true };
  }

  public async onAuthorizationRequest(
    _section: string,
    _formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult> {
    return new LifecycleSettingsResult()
      .addError('auth_method', NO_AUTHORIZATION_CODE_FLOW)
      .addToast('danger', NO_AUTHORIZATION_CODE_FLOW);
  }

  public async onAuthorizationGrant(_request: Request): Promise<AuthorizationGrantResult> {
    // Lands the person on the connection section, where the supported methods are.
    return new AuthorizationGrantResult(SECTION.connection)
      .addError('auth_method', NO_AUTHORIZATION_CODE_FLOW)
      .addToast('danger', NO_AUTHORIZATION_CODE_FLOW);
  }
}

// ── Connect to Bynder ─────────────────────────────────────────────────────────────────────────────

/**
 * Save: validate, test (one request; two with OAuth), and only then store the portal and method in
 * settings and the credentials in secrets. A changed connection drops the cached metaproperties and
 * external keys, so the mapping and deliveries read the new portal.
 */
const saveConnection: SettingsHandler = async (formData, deps) => {
  const stored = await readStoredConnection(deps);
  const read = readConnectionForm(formData, stored);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const { settings, secrets, credentials, keptStored } = read.form;

  const check = await checkConnection({ portalUrl: settings.portal, credentials }, await formDeps(deps));
  if (!check.ok) return answerConnectionFailure(check.failure, 'Nothing was saved.');

  const storedRecords = await deps.settings.get(SECTION.records);
  const changed = hasConnectionChanged(stored, { settings, secrets });
  await deps.secrets.put(SECTION.connection, { ...secrets });
  await deps.settings.put(SECTION.connection, { ...settings });
  if (changed) await forgetBynderCaches(deps.kvStore);
  deps.logger.info(
    `Settings: connection saved (${settings.portal}, ${settings.auth_method})${changed ? '; cached Bynder data dropped' : ''}`,
  );
  // Records parked because the old credentials were refused may go through now. They are not sent
  // here: a replay is a whole batch, and Save must answer within seconds whatever Bynder does. The
  // next delivery starts with them, and the scheduled job sends them within 15 minutes.
  const { records: parked } = await readOutbox(deps.kvStore);

  const kept =
    keptStored.length > 0
      ? ` Kept the stored ${keptStored.map((f) => SETTING_LABELS[f] ?? f).join(' and ')}.`
      : '';
  const waiting =
    parked.length > 0
      ? ` ${parked.length} parked record${parked.length === 1 ? ' goes' : 's go'} to Bynder with the next delivery, or within 15 minutes.`
      : '';
  const result = new LifecycleSettingsResult().addToast(
    'success',
    `Connected to ${settings.portal} with ${describeAuthMethod(credentials.kind)} and saved.${kept}${waiting}`,
  );
  // First connection: lead on to the choices about how records are written.
  return Object.keys(storedRecords).length === 0 ? result.redirectToSettings(SECTION.records) : result;
};

/**
 * The "Test connection" button: tests the values on screen (stored secrets fill empty fields, for
 * the stored portal only); saves nothing.
 */
const testConnection: SettingsHandler = async (formData, deps) => {
  const read = readConnectionForm(formData, await readStoredConnection(deps));
  if (!read.ok) return answerProblems(read.problems, 'Fix the marked fields, then test again.');
  const { settings, credentials } = read.form;
  const check = await checkConnection({ portalUrl: settings.portal, credentials }, await formDeps(deps));
  if (!check.ok) return answerConnectionFailure(check.failure, 'Nothing was saved.');
  return new LifecycleSettingsResult().addToast(
    'success',
    `Connected to ${settings.portal} with ${describeAuthMethod(credentials.kind)}. Nothing is saved yet: press Save to keep these settings.`,
  );
};

// ── Sync status ───────────────────────────────────────────────────────────────────────────────────

/** The job that delivers the outbox (app.yml `jobs`); released deletes go with its next run. */
const OUTBOX_JOB = 'deliver_outbox';

/** Refresh (and the section's Save, which has nothing to store): writes the status text now. */
const refreshStatus: SettingsHandler = async (_formData, deps) => {
  await noteSyncStatus({}, deps, { force: true });
  return new LifecycleSettingsResult().addToast(
    'success',
    'Sync status refreshed. Reopen or reload this section to see it.',
  );
};

/**
 * Release: every held delete is parked in the outbox, which delivers it like any parked record (at
 * the start of the next delivery, and from its job, started now when the platform allows).
 */
const releaseHeldDeletes: SettingsHandler = async (_formData, deps) => {
  const done = await releaseHeld(deps);
  if (done.released === 0) {
    await noteSyncStatus({}, deps, { force: true });
    return new LifecycleSettingsResult().addToast('info', 'No deletes are held: nothing to release.');
  }
  await deps.jobs?.trigger(OUTBOX_JOB, {}).catch((error: unknown) => {
    deps.logger.warn(
      `Could not start the outbox job; it runs ${OUTBOX_JOB_EVERY} anyway:`,
      describeError(error),
    );
  });
  await noteSyncStatus({ released: done.released }, deps, { force: true });
  deps.logger.info(`Settings: ${done.released} held deletes released to the outbox`);
  const more = done.remaining > 0 ? ` ${done.remaining} are still held: press Release again.` : '';
  const lost =
    done.dropped > 0
      ? ` The outbox was full: ${done.dropped} parked records were dropped (the Activity Log names them).`
      : '';
  return new LifecycleSettingsResult().addToast(
    done.dropped > 0 ? 'warning' : 'success',
    `Released ${done.released} held delete${done.released === 1 ? '' : 's'}: they go to Bynder with the next delivery, or ${OUTBOX_JOB_EVERY} from the outbox job.${more}${lost}`,
  );
};

/** Discard: every held delete is dropped unsent (counted as discarded). */
const discardHeldDeletes: SettingsHandler = async (_formData, deps) => {
  const discarded = await discardHeld(deps);
  await noteSyncStatus({ discarded }, deps, { force: true });
  if (discarded > 0) deps.logger.info(`Settings: ${discarded} held deletes discarded`);
  return new LifecycleSettingsResult().addToast(
    'success',
    discarded === 0
      ? 'No deletes are held: nothing to discard.'
      : `Discarded ${discarded} held delete${discarded === 1 ? '' : 's'}: they will not be sent. The assets stay in Bynder as they are.`,
  );
};

// ── Records ───────────────────────────────────────────────────────────────────────────────────────

/** Save: the write policy, and in external-key mode a metaproperty Bynder really has. */
const saveRecords: SettingsHandler = async (formData, deps) => {
  const read = readSectionForm(recordsSettingsSchema, formData);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const { external_key_metaproperty: metaproperty, brand_id: brandId, ...policy } = read.values;
  const byExternalKey = policy.primary_key === 'external_key';
  const creating = policy.missing_assets === 'create';
  const missing: FieldProblem[] = [];
  if (byExternalKey && !metaproperty) {
    missing.push({ field: 'external_key_metaproperty', message: MISSING_EXTERNAL_KEY_MESSAGE });
  }
  if (creating && !byExternalKey) {
    missing.push({ field: 'missing_assets', message: CREATE_NEEDS_EXTERNAL_KEY_MESSAGE });
  } else if (creating && !brandId) {
    missing.push({ field: 'brand_id', message: MISSING_BRAND_MESSAGE });
  }
  if (missing.length > 0) return answerProblems(missing, NOT_SAVED);

  const warnings: string[] = [];
  if (byExternalKey && metaproperty) {
    const check = await checkExternalKey(metaproperty, deps);
    if (check.kind === 'problem') {
      return answerProblems([{ field: 'external_key_metaproperty', message: check.message }], NOT_SAVED);
    }
    if (check.kind === 'unchecked') warnings.push(check.message);
  }
  if (creating && brandId) {
    const check = await checkBrand(brandId, deps);
    if (check.kind === 'problem') {
      return answerProblems([{ field: 'brand_id', message: check.message }], NOT_SAVED);
    }
    if (check.kind === 'unchecked') warnings.push(check.message);
  }
  const fixed = await checkFixedValuesText(policy.fixed_values, read.values, deps);
  if (fixed.kind === 'problems') return answerProblems(fixed.problems, NOT_SAVED);
  if (fixed.warning) warnings.push(fixed.warning);

  // The metaproperty, the brand and the fixed values are stored only while used, so a stale one
  // cannot resurface later.
  const { fixed_values: _typed, ...written } = policy;
  const row = {
    ...written,
    ...(fixed.text.trim() === '' ? {} : { fixed_values: fixed.text }),
    ...(byExternalKey ? { external_key_metaproperty: metaproperty } : {}),
    ...(creating ? { brand_id: brandId } : {}),
  };
  await deps.settings.put(SECTION.records, row);
  deps.logger.info(`Settings: records saved (${JSON.stringify(row)})`);
  const matchBy = byExternalKey ? `the text metaproperty "${metaproperty}"` : 'Bynder asset id';
  const result = new LifecycleSettingsResult().addToast(
    'success',
    `Saved: records match assets by ${matchBy}; deletes ${policy.delete_policy === 'ignore' ? 'are ignored' : `${policy.delete_policy} the asset`}; empty values ${policy.empty_values === 'leave' ? 'leave Bynder unchanged' : 'clear the Bynder value'}; unknown option values ${policy.unknown_options === 'reject' ? 'reject the record' : policy.unknown_options === 'drop' ? 'are dropped' : 'become new options'}; ${creating ? `records whose asset does not exist create it from their file_url in brand ${brandId}` : 'records whose asset does not exist are rejected'}; files to upload up to ${policy.max_file_mb.toLocaleString('en-US')} MB; ${policy.max_deletes_per_hour === 0 ? 'no limit on deletes and archives' : `at most ${policy.max_deletes_per_hour.toLocaleString('en-US')} deletes and archives per sync an hour (more are held)`}${fixed.described ? `; ${fixed.described}` : ''}.`,
  );
  for (const warning of warnings) result.addToast('warning', warning);
  return result;
};

// ── Fixed values ──────────────────────────────────────────────────────────────────────────────────

type FixedValuesCheck =
  | { kind: 'problems'; problems: FieldProblem[] }
  | { kind: 'ok'; text: string; described?: string; warning?: string };

/**
 * The fixed values of a Records save: every line parses, names a field of the model other than the
 * key (the key being saved), and holds a value the field writes.
 */
async function checkFixedValuesText(
  typed: string,
  records: RecordsSettings,
  deps: SdkDeps,
): Promise<FixedValuesCheck> {
  const text = typed.replace(/\r\n?/g, '\n');
  const parsed = parseFixedValues(text);
  if (!parsed.ok) return { kind: 'problems', problems: asValuesProblems(parsed.problems) };
  if (parsed.values.length === 0) return { kind: 'ok', text };
  const described = `${parsed.values.length} fixed value${parsed.values.length === 1 ? '' : 's'} (${describeFixedValues(parsed.values).slice(0, 300)}) for records without their own`;
  const model = await fieldModelForForm(deps, 'the fixed values', records);
  if (model.kind === 'unchecked') return { kind: 'ok', text, described, warning: model.message };
  const problems = checkFixedValues(parsed.values, model.model, { emptyValues: records.empty_values });
  if (problems.length > 0) return { kind: 'problems', problems: asValuesProblems(problems) };
  return { kind: 'ok', text, described };
}

/** Problems of the fixed-values text, on its one form field, each naming its line. */
function asValuesProblems(problems: ReadonlyArray<{ message: string }>): FieldProblem[] {
  const shown = problems.slice(0, 10).map((problem) => problem.message);
  const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
  return [{ field: 'fixed_values', message: `${shown.join('\n')}${more}` }];
}

type FormFieldModel =
  | { kind: 'model'; model: FieldModel }
  /** Bynder could not be asked (no connection saved, portal down): saved with this warning. */
  | { kind: 'unchecked'; message: string };

/** The field model for a settings check, through its cache; what was not checked, and why, otherwise. */
async function fieldModelForForm(deps: SdkDeps, what: string, records: unknown): Promise<FormFieldModel> {
  const [connection, secrets] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.secrets.get(SECTION.connection),
  ]);
  let config: AppConfig;
  try {
    // The records settings (being saved) decide which field is the primary key.
    config = parseConfig({ connection, secrets, records, throughput: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      kind: 'unchecked',
      message: `Saved without checking ${what} in Bynder, because the connection is not saved yet. Save "Connect to Bynder", then save this section again to check them.`,
    };
  }
  try {
    const api = createFormClient(config, await formDeps(deps));
    return { kind: 'model', model: await getFieldModel({ ...deps, config, api }) };
  } catch (error) {
    const why = describeError(error);
    deps.logger.warn(`Settings: could not check ${what}: ${why}`);
    return {
      kind: 'unchecked',
      message: `Saved without checking ${what}, because Bynder's metaproperties could not be read (${why}). Save again later to check them.`,
    };
  }
}

/** The stored connection as a config (records and throughput at their defaults), or undefined when unset. */
async function storedConnectionConfig(deps: SdkDeps): Promise<AppConfig | undefined> {
  const [connection, secrets] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.secrets.get(SECTION.connection),
  ]);
  try {
    return parseConfig({ connection, secrets, records: {}, throughput: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return undefined;
  }
}

/** Checks the brand of new assets against the portal's brands (`GET /api/v4/brands/`, one request). */
async function checkBrand(brandId: string, deps: SdkDeps): Promise<ExternalKeyCheck> {
  const config = await storedConnectionConfig(deps);
  if (!config) {
    return {
      kind: 'unchecked',
      message: `Saved without checking brand "${brandId}" in Bynder, because the connection is not saved yet. Save "Connect to Bynder", then save this section again to check it.`,
    };
  }
  try {
    const brands = await createFormClient(config, await formDeps(deps)).listBrands();
    const problem = findBrandProblem(brandId, brands);
    return problem ? { kind: 'problem', message: problem } : { kind: 'ok' };
  } catch (error) {
    const why = describeError(error);
    deps.logger.warn(`Settings: could not check brand "${brandId}": ${why}`);
    return {
      kind: 'unchecked',
      message: `Saved without checking brand "${brandId}", because Bynder's brands could not be read (${why}). Save again later to check it.`,
    };
  }
}

type ExternalKeyCheck =
  | { kind: 'ok' }
  | { kind: 'problem'; message: string }
  /** Bynder could not be asked (no connection saved, portal down): saved with this warning. */
  | { kind: 'unchecked'; message: string };

/**
 * Checks the external key metaproperty against the portal's metaproperties, through the field
 * model cache (no request when a fresh copy exists; otherwise the listing also warms the cache for
 * the mapping screen).
 */
async function checkExternalKey(name: string, deps: SdkDeps): Promise<ExternalKeyCheck> {
  const [connection, secrets] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.secrets.get(SECTION.connection),
  ]);
  let config: AppConfig;
  try {
    // Only the connection matters here; records and throughput take their defaults, so the model
    // is built by asset id, whatever key is being saved.
    config = parseConfig({ connection, secrets, records: {}, throughput: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      kind: 'unchecked',
      message: `Saved without checking "${name}" in Bynder, because the connection is not saved yet. Save "Connect to Bynder", then save this section again to check it.`,
    };
  }
  try {
    const api = createFormClient(config, await formDeps(deps));
    const model = await getFieldModel({ ...deps, config, api });
    const problem = findExternalKeyProblem(name, metapropertyFactsOf(model), model.leftOut);
    return problem ? { kind: 'problem', message: problem } : { kind: 'ok' };
  } catch (error) {
    const why = describeError(error);
    deps.logger.warn(`Settings: could not check external key metaproperty "${name}": ${why}`);
    return {
      kind: 'unchecked',
      message: `Saved without checking "${name}", because Bynder's metaproperties could not be read (${why}). Save again later to check it.`,
    };
  }
}

// ── Throughput ────────────────────────────────────────────────────────────────────────────────────

/** Save: two bounded whole numbers and the change-detection choice; deliver() reads them at its next batch. */
const saveThroughput: SettingsHandler = async (formData, deps) => {
  const read = readSectionForm(throughputSettingsSchema, formData);
  if (!read.ok) return answerProblems(read.problems, NOT_SAVED);
  const {
    requests_per_second: perSecond,
    max_in_flight: inFlight,
    change_detection: detection,
  } = read.values;
  await deps.settings.put(SECTION.throughput, { ...read.values });
  deps.logger.info(
    `Settings: throughput saved (${perSecond} requests/s, ${inFlight} in flight, change detection ${detection})`,
  );
  const reading =
    detection === 'read_first'
      ? 'assets are read first and only what differs is written'
      : 'every record is written without reading first';
  return new LifecycleSettingsResult().addToast(
    'success',
    `Saved: at most ${perSecond} requests per second and ${inFlight} in flight; ${reading}; from the next batch on.`,
  );
};

// ── Try a record ──────────────────────────────────────────────────────────────────────────────────

/**
 * Preview: what a delivery of the pasted record would do, read from Bynder and written nowhere. The
 * answer goes into the section's row, where its `instructions` show it, and into a toast.
 */
const previewRecord: SettingsHandler = async (formData, deps) => {
  const text = typeof formData.record === 'string' ? formData.record : '';
  const read = readRecordText(text);
  if (!read.ok) {
    return answerProblems(
      [{ field: 'record', message: read.problem }],
      'Nothing was previewed: fix the record and press Preview again.',
    );
  }
  const secrets = secretsOfFields(await deps.secrets.get(SECTION.connection));
  const store = (markdown: string) =>
    deps.settings.put(SECTION.try_record, {
      record: redactSecrets(text, secrets),
      answer: redactSecrets(markdown, secrets),
    });
  let preview: BatchPreview;
  try {
    const deadline = startDeadline(deps.clock, PREVIEW_TIME_BUDGET_MS);
    preview = await previewBatch([read.record], { ...deps, deadline });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Not configured, or Bynder's fields unreadable: the message says what to do, and names no secret.
    const message = redactSecrets(error.message, secrets);
    await store(`**Not previewed:** ${escapeMarkdown(message)}`);
    return new LifecycleSettingsResult().addToast('danger', `Not previewed: ${message}`);
  }
  const answer = describePreview(preview, new Date(deps.clock.now()));
  await store(answer.markdown);
  deps.logger.info(
    `Settings: previewed one record (${preview.records[0]?.status ?? 'none'}); nothing written`,
  );
  return new LifecycleSettingsResult().addToast(answer.intent, redactSecrets(answer.toast, secrets));
};

// ── Answers ───────────────────────────────────────────────────────────────────────────────────────

/** Field errors plus one toast, so a person sees both where and that nothing was saved. */
function answerProblems(problems: readonly FieldProblem[], summary: string): LifecycleSettingsResult {
  const result = new LifecycleSettingsResult();
  for (const problem of problems) result.addError(problem.field, problem.message);
  return result.addToast('danger', summary);
}

/** A failed connection test: the toast says what is wrong; the field at fault is marked too. */
function answerConnectionFailure(failure: ConnectionFailure, consequence: string): LifecycleSettingsResult {
  const result = new LifecycleSettingsResult();
  if (failure.field) result.addError(failure.field, failure.message);
  return result.addToast('danger', `Connection test failed: ${failure.message} ${consequence}`);
}

/** How toasts name the sign-in method that was used. */
function describeAuthMethod(kind: Credentials['kind']): string {
  return kind === 'permanent_token' ? 'the permanent token' : 'the OAuth client credentials';
}

/** The connection as stored: what an empty secret field falls back to, and for which portal. */
async function readStoredConnection(deps: SdkDeps): Promise<StoredConnection> {
  const [settings, secrets] = await Promise.all([
    deps.settings.get(SECTION.connection),
    deps.secrets.get(SECTION.connection),
  ]);
  return { settings, secrets };
}

/** A form action's requests draw from the install's budget at the stored rate. */
async function formDeps(deps: SdkDeps): Promise<SdkDeps & { requestsPerSecond: number }> {
  return { ...deps, requestsPerSecond: await readRequestsPerSecond(deps.settings) };
}
