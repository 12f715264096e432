import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { LogLevel, setLogLevel } from '@zaiusinc/app-sdk';

import { redactSecrets } from '../../../src/lib/redact';
import { exitCode, UsageError } from '../exit-codes';
import { saveLastRun } from '../last-run';
import { DEMO_PORTAL_PATH } from '../../bynder-emulator/seed';
import { captureAppOutput } from './app-log-capture';
import { startEmulatorTarget } from './targets/emulator-target';
import { formatJsonSummary, formatSummary } from './summary/run-summary';
import { createPortalTarget } from './targets/portal-target';
import { createProgressReporter } from './summary/progress-reporter';
import { parseDelimiterOption } from './sources/csv-delimiter';
import type { RunSummary } from './summary/run-summary';
import { DEFAULT_BATCH_SIZE, runSync } from './run-sync';
import type { SectionValues, SettingsFlags } from './settings/settings-input';
import { applySettingsFlags, emptySections, readSettingsFile } from './settings/settings-input';
import type { SyncTarget } from './targets/sync-target';

/** The default seed, relative so that the summary names it as a user would type it. */
const DEMO_SEED = path.relative(process.cwd(), DEMO_PORTAL_PATH);

export interface SyncCommandOptions {
  source?: string;
  format?: string;
  delimiter?: string;
  allowMissingColumns?: boolean;
  mapping?: string;
  batchSize?: string;
  seed?: string;
  portal?: string;
  settings?: string;
  retryPauseMs?: string;
  maxBlockWaitMs?: string;
  rejectionsFile?: string;
  dumpState?: string;
  workers?: string;
  json?: boolean;
  /** Printed before the run starts (the demo tells how long it will take). */
  banner?: string;
  /** Extra settings on top of file and flags (the demo raises the request budget). */
  settingsOverride?: Partial<SectionValues>;
  /** Called once the target is up, before settings are saved (the demo notes the portal as it was). */
  onTargetReady?: (target: SyncTarget) => void;
  /** Called after the sync, before the target stops; its report is printed after the summary. */
  verify?: (target: SyncTarget, summary: RunSummary) => Promise<{ ok: boolean; report: string }>;
}

/** Runs `sync` and returns the exit code. Everything the app logs goes to the run's app.log. */
export async function runSyncCommand(raw: Record<string, unknown>): Promise<number> {
  const options = raw as SyncCommandOptions & SettingsFlags;
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'bynder-sync-'));
  // The SDK reads LOG_LEVEL once, when it loads (before this runs), so the default goes through
  // setLogLevel; a LOG_LEVEL the user set was read then and stays in force.
  if (process.env.LOG_LEVEL === undefined) setLogLevel(LogLevel.Info);
  const io = captureAppOutput(path.join(runDir, 'app.log'));
  let secrets: string[] = [];
  const say = (line: string) => io.err(`${redactSecrets(line, secrets)}\n`);
  let target: SyncTarget | undefined;
  let code = exitCode('notStarted');
  try {
    if (!options.source) throw new UsageError('--source is required');
    const settings = applySettingsFlags(
      options.settings ? await readSettingsFile(options.settings) : emptySections(),
      options,
    );
    for (const [section, values] of Object.entries(options.settingsOverride ?? {})) {
      Object.assign(settings[section as keyof SectionValues], values);
    }
    const portal = options.portal ?? stringOrUndefined(settings.connection.portal);
    if (portal && options.dumpState) {
      throw new UsageError('--dump-state works with the embedded emulator only, not with a real portal');
    }
    if (options.banner) say(options.banner);
    target = portal
      ? createPortalTarget(portal, process.env, stringOrUndefined(settings.connection.auth_method))
      : await startEmulatorTarget(options.seed ?? DEMO_SEED);
    secrets = target.secrets;
    options.onTargetReady?.(target);
    say(`target: ${target.describe}`);
    const interactive = Boolean(process.stderr.isTTY) && !options.json;
    const summary = await runSync(
      {
        source: options.source,
        format: options.format,
        delimiter: options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter),
        allowMissingColumns: options.allowMissingColumns === true,
        mappingFile: options.mapping,
        batchSize: wholeNumber(options.batchSize, DEFAULT_BATCH_SIZE, '--batch-size'),
        retryPauseMs: wholeNumber(options.retryPauseMs, 500, '--retry-pause-ms'),
        maxBlockWaitMs: wholeNumber(options.maxBlockWaitMs, 360_000, '--max-block-wait-ms'),
        settings,
        target,
        rejectionsFile: options.rejectionsFile ?? path.join(runDir, 'rejections.jsonl'),
        appLog: io.logFile,
        workers: options.workers === undefined ? undefined : wholeNumber(options.workers, 1, '--workers'),
      },
      {
        note: say,
        startProgress: (totalBytes) =>
          createProgressReporter({
            terminal: io.terminal,
            interactive,
            totalBytes,
            write: (text) => io.err(text),
          }),
        keepStores: async (kvStore) => {
          // The run's stores vanish with this process: kept for `outbox`; a failure to keep them
          // is said, never a reason to fail a run that delivered.
          try {
            const file = await saveLastRun(kvStore, {
              source: options.source ?? '',
              target: target?.describe ?? '',
              secrets,
            });
            say(
              `the app's kvStore rows as the run left them: ${file} (npm run cli -- outbox shows the outbox)`,
            );
          } catch (error) {
            say(
              `could not keep the run's kvStore rows for outbox: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        },
      },
    );
    code = exitCode(summary.pending > 0 ? 'pending' : 'ok');
    const verdict = options.verify ? await options.verify(target, summary) : undefined;
    if (verdict && !verdict.ok) code = exitCode('checkFailed');
    await target.finish({ dumpState: options.dumpState });
    const printed = options.json
      ? formatJsonSummary(summary)
      : formatSummary(summary) + (verdict ? `\n${verdict.report}` : '');
    io.out(redactSecrets(printed, secrets));
  } catch (error) {
    const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    say(`sync failed: ${message}`);
    say(`app log: ${io.logFile}`);
    if (options.json) io.out(`${JSON.stringify({ error: message, appLog: io.logFile })}\n`);
    code = exitCode(error instanceof UsageError ? 'usage' : 'notStarted');
  } finally {
    await target?.finish({}).catch((error: unknown) => say(`could not stop the emulator: ${String(error)}`));
    await io.restore();
  }
  return code;
}

function wholeNumber(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
