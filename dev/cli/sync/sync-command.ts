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
import {
  createProgressReporter,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type ProgressReporter,
} from './summary/progress-reporter';
import { DEFAULT_RUNS_DIR, openRunFolder } from './run-folder';
import { parseDelimiterOption } from './sources/csv-delimiter';
import type { RunSummary } from './summary/run-summary';
import { DEFAULT_BATCH_SIZE, runSync } from './run-sync';
import type { SectionValues, SettingsFlags } from './settings/settings-input';
import { applySettingsFlags, emptySections, readSettingsFile } from './settings/settings-input';
import type { SyncTarget } from './targets/sync-target';

/** The default seed, relative so that the summary names it as a user would type it. */
const DEMO_SEED = path.relative(process.cwd(), DEMO_PORTAL_PATH);

/**
 * Signals this close together are one Ctrl-C: under `npm run`, the terminal sends SIGINT to the
 * whole process group and npm forwards its own copy to the CLI as well.
 */
const SAME_PRESS_MS = 200;

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
  logDir?: string;
  progressInterval?: string;
  json?: boolean;
  /** Plan, read and compare every record, write nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Any rejection ends the run with the `rejections` exit code (`--fail-on-rejections`). */
  failOnRejections?: boolean;
  /** Printed before the run starts (the demo tells how long it will take). */
  banner?: string;
  /** Extra settings on top of file and flags (the demo raises the request budget). */
  settingsOverride?: Partial<SectionValues>;
  /**
   * A target the caller started and stops (the demo runs two syncs against one emulator); without
   * it the run starts its own from --portal or the seed.
   */
  target?: SyncTarget;
  /** Called once the target is up, before settings are saved (the demo notes the portal as it was). */
  onTargetReady?: (target: SyncTarget) => void;
  /** Called after the sync, before the target stops; its report is printed after the summary. */
  verify?: (target: SyncTarget, summary: RunSummary) => Promise<{ ok: boolean; report: string }>;
}

/** Runs `sync` and returns the exit code. Everything the app logs goes to the run's app.log. */
export async function runSyncCommand(raw: Record<string, unknown>): Promise<number> {
  const options = raw as SyncCommandOptions & SettingsFlags;
  // The run's files (app.log, rejections.jsonl) outlive it, in a folder of their own: no temporary
  // folder is left behind, and the paths the summary prints stay readable.
  const runDir = await openRunFolder(options.logDir ?? DEFAULT_RUNS_DIR);
  // The SDK reads LOG_LEVEL once, when it loads (before this runs), so the default goes through
  // setLogLevel; a LOG_LEVEL the user set was read then and stays in force.
  if (process.env.LOG_LEVEL === undefined) setLogLevel(LogLevel.Info);
  const io = captureAppOutput(path.join(runDir, 'app.log'));
  let secrets: string[] = [];
  const say = (line: string) => io.err(`${redactSecrets(line, secrets)}\n`);
  let target: SyncTarget | undefined;
  let code = exitCode('notStarted');
  // Ctrl-C (or SIGTERM) once: no new batch, the ones in flight finish, then the summary. Twice: out.
  const cancel = new AbortController();
  let cancelledAt = 0;
  // Through the progress bar while there is one, so the message does not tear it.
  let progress: ProgressReporter | undefined;
  const tell = (line: string) => (progress ? progress.note(line) : say(line));
  const onSignal = (signal: NodeJS.Signals) => {
    const how = signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `stopped (${signal})`;
    if (!cancel.signal.aborted) {
      cancelledAt = performance.now();
      tell(
        `${how}: no new batch starts; the batches in flight finish, then the summary counts what was not sent as pending. ` +
          'Press Ctrl-C again to quit at once, without a summary.',
      );
      cancel.abort(how);
      return;
    }
    if (performance.now() - cancelledAt < SAME_PRESS_MS) return;
    tell(`${how} again: quitting at once, without a summary; run the sync again to send what is left`);
    progress?.stop(); // gives the terminal its cursor back
    process.exit(exitCode('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
    if (options.dryRun && options.workers !== undefined) {
      throw new UsageError('--dry-run previews in this process; leave out --workers');
    }
    if (portal && options.dumpState) {
      throw new UsageError('--dump-state works with the embedded emulator only, not with a real portal');
    }
    if (options.banner) say(options.banner);
    target =
      options.target ??
      (portal
        ? createPortalTarget(portal, process.env, stringOrUndefined(settings.connection.auth_method))
        : await startEmulatorTarget(options.seed ?? DEMO_SEED));
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
        signal: cancel.signal,
        dryRun: options.dryRun === true,
      },
      {
        note: say,
        startProgress: () =>
          (progress = createProgressReporter({
            terminal: io.terminal,
            interactive,
            write: (text) => io.err(text),
            intervalMs: wholeNumber(
              options.progressInterval,
              DEFAULT_PROGRESS_INTERVAL_MS,
              '--progress-interval',
            ),
          })),
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
    progress = undefined; // stopped with the run
    code = exitCode(summary.pending > 0 ? 'pending' : 'ok');
    if (options.failOnRejections && summary.rejected > 0) code = exitCode('rejections');
    // A cancelled run left records unsent on purpose: checking the portal against the source would
    // only list them.
    const verdict = options.verify && !summary.cancelled ? await options.verify(target, summary) : undefined;
    if (verdict && !verdict.ok) code = exitCode('checkFailed');
    if (options.verify && summary.cancelled) say('the demo check is skipped: the run was cancelled');
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return cancel.signal.aborted ? exitCode('interrupted') : code;
}

function wholeNumber(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
