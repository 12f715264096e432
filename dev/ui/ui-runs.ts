import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { stringify } from 'yaml';

import { LogLevel, logger, setLogLevel, storage } from '@zaiusinc/app-sdk';

import { SECTION } from '../../src/lib/config';
import { deleteAppKvRows } from '../../src/lib/state/kv-rows';
import { redactSecrets } from '../../src/lib/redact';
import { secretsOfFields } from '../../src/lib/secret-values';
import type { RunningEmulator } from '../bynder-emulator/server';
import type { FormSection } from '../cli/commands/settings';
import {
  DEMO_MAPPING_FILE,
  DEMO_SOURCE_FILE,
  type DemoReadBack,
  startDemoReadBack,
} from '../cli/demo/demo-run';
import { captureAppOutput } from '../cli/sync/app-log-capture';
import { loadMappingFile } from '../cli/sync/mapping/mapping-file';
import { DEFAULT_BATCH_SIZE, runSync, type SyncRunOptions } from '../cli/sync/run-sync';
import { emptySections, FORM_SECTIONS, type SectionValues } from '../cli/sync/settings/settings-input';
import type { ProgressReporter } from '../cli/sync/summary/progress-reporter';
import { emulatorTarget } from '../cli/sync/targets/emulator-target';
import { type RunProgress, UiRun } from './ui-run';

// A sync started from the page: the CLI's runner (runSync) against this process's emulator, with
// the settings the page saved through the form. What the runner reports goes to the page as events.

/** Runner options the server sets itself; the page may pass any other (e.g. one the runner adds later). */
const OWNED_OPTIONS = new Set([
  'source',
  'format',
  'mappingFile',
  'settings',
  'target',
  'rejectionsFile',
  'appLog',
]);
/** The least time between two progress events of a run (see progressEvents). */
const PROGRESS_EVENT_INTERVAL_MS = 200;
/** Worker processes a run from the page may start (each is a Node process of about 140 MB). */
const MAX_WORKERS = 16;
/** The runner's numeric options, with the CLI's defaults. */
const NUMBER_DEFAULTS: Record<'batchSize' | 'retryPauseMs' | 'maxBlockWaitMs', number> = {
  batchSize: DEFAULT_BATCH_SIZE,
  retryPauseMs: 500,
  maxBlockWaitMs: 360_000,
};

export interface StartRun {
  source: string;
  sourceName: string;
  mapping: Map<string, string> | undefined;
  /** Reseed the emulator and drop the app's kvStore rows first, so the run starts as the CLI's does. */
  resetPortal: boolean;
  runner: Record<string, unknown>;
}

export class UiRuns {
  private readonly runs = new Map<string, UiRun>();
  private current: Promise<void> | undefined;

  public constructor(
    private readonly context: {
      emulator: RunningEmulator;
      seed: string;
      workDir: string;
      form: FormSection[];
      /**
       * The app's log level between runs, set back after each run (which logs at info into its
       * app.log); unset when LOG_LEVEL governs, in and out of runs.
       */
      logLevelBetweenRuns?: LogLevel;
    },
  ) {}

  public get(id: string): UiRun | undefined {
    return this.runs.get(id);
  }

  public async start(request: StartRun): Promise<UiRun> {
    if (this.current) throw new Error('a sync is already running; wait for it to end');
    const options = runnerOptions(request.runner);
    const run = new UiRun(`r${this.runs.size + 1}`);
    this.runs.set(run.id, run);
    const runDir = await mkdtemp(path.join(this.context.workDir, `${run.id}-`));
    let mappingFile: string | undefined;
    if (request.mapping) {
      mappingFile = path.join(runDir, 'mapping.yml');
      await writeFile(mappingFile, stringify(Object.fromEntries(request.mapping)));
    }
    this.current = this.execute(run, request, { ...options, mappingFile, runDir }).finally(() => {
      this.current = undefined;
    });
    return run;
  }

  public async stop(): Promise<void> {
    await this.current;
  }

  private async execute(
    run: UiRun,
    request: StartRun,
    options: ReturnType<typeof runnerOptions> & { mappingFile: string | undefined; runDir: string },
  ): Promise<void> {
    const { emulator, seed } = this.context;
    const { mappingFile, runDir, ...runner } = options;
    const secrets = secretsOfFields({ token: emulator.token });
    const say = (line: string) => run.emit({ type: 'note', data: { line: redactSecrets(line, secrets) } });
    const { logLevelBetweenRuns } = this.context;
    if (logLevelBetweenRuns !== undefined) setLogLevel(LogLevel.Info);
    const io = captureAppOutput(path.join(runDir, 'app.log'));
    try {
      if (request.resetPortal) {
        emulator.configure({ seed });
        await deleteAppKvRows(storage.kvStore, logger);
        say(`emulator reset to its seed (${seed}) and the app's stored rows dropped, as for a fresh install`);
      }
      const target = emulatorTarget(emulator, seed, { stopOnFinish: false });
      const settings = await storedSettings();
      const budget = Number(settings.throughput.requests_per_second ?? this.defaultOf('requests_per_second'));
      const readBack = (await isDemoInput(request.source, mappingFile))
        ? startDemoReadBack(target)
        : undefined;
      say(`target: ${target.describe}`);
      const requestsBefore = emulator.requests().length;
      const startedAt = performance.now();
      const summary = await runSync(
        {
          ...runner,
          source: request.source,
          mappingFile,
          settings,
          target,
          rejectionsFile: path.join(runDir, 'rejections.jsonl'),
          appLog: io.logFile,
          signal: run.signal,
        },
        {
          note: say,
          startProgress: () =>
            progressEvents(run, say, () => {
              const requests = emulator.requests().length - requestsBefore;
              const seconds = (performance.now() - startedAt) / 1000;
              return { requests, requestsPerSecond: seconds > 0 ? requests / seconds : 0, budget };
            }),
        },
      );
      // A cancelled run left records unsent on purpose: the read-back would only list them.
      const verdict = summary.cancelled ? undefined : await verifyDemo(readBack, summary);
      await target.finish({});
      run.emit({ type: 'summary', data: verdict ? { summary, verdict } : { summary } });
    } catch (error) {
      run.emit({
        type: 'failed',
        data: { message: redactSecrets(error instanceof Error ? error.message : String(error), secrets) },
      });
    } finally {
      await io.restore();
      if (logLevelBetweenRuns !== undefined) setLogLevel(logLevelBetweenRuns);
      run.emit({ type: 'end', data: {} });
    }
  }

  private defaultOf(key: string): unknown {
    for (const section of this.context.form) {
      const element = section.elements.find((e) => e.key === key);
      if (element) return element.defaultValue;
    }
    return undefined;
  }
}

type NumberOptions = Pick<SyncRunOptions, 'batchSize' | 'retryPauseMs' | 'maxBlockWaitMs'>;

/** The page's runner options: the numeric ones checked and defaulted as the CLI's flags, the rest passed on. */
export function runnerOptions(raw: Record<string, unknown>): NumberOptions & Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (OWNED_OPTIONS.has(key)) throw new Error(`runner option "${key}" is set by the page, not passed in`);
    if (value !== '' && value !== null && value !== undefined) extra[key] = value;
  }
  const number = (key: keyof NumberOptions): number => {
    const value = extra[key] ?? NUMBER_DEFAULTS[key];
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new Error(`runner option "${key}" must be a whole number, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  const options = {
    ...extra,
    batchSize: number('batchSize'),
    retryPauseMs: number('retryPauseMs'),
    maxBlockWaitMs: number('maxBlockWaitMs'),
  };
  if (extra.workers === undefined) return options; // delivered in this process, as sync without --workers
  const workers = Number(typeof extra.workers === 'string' ? extra.workers.trim() : extra.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new Error(
      `runner option "workers" must be a whole number from 1 to ${MAX_WORKERS}, got ${JSON.stringify(extra.workers)}`,
    );
  }
  return { ...options, workers };
}

/** What the page saved through the form, as the runner's settings (secrets stay in storage.secrets). */
async function storedSettings(): Promise<SectionValues> {
  const values = emptySections();
  for (const section of FORM_SECTIONS) {
    const row: Record<string, unknown> = await storage.settings.get(SECTION[section]);
    for (const [key, value] of Object.entries(row)) {
      if (key === 'portal' || key === 'auth_method') continue; // the target supplies the connection
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values[section][key] = value;
      }
    }
  }
  return values;
}

/** The read-back check is written for the demo files; other input gets no verdict. */
async function isDemoInput(source: string, mappingFile: string | undefined): Promise<boolean> {
  if (!mappingFile) return false;
  const [given, demo] = await Promise.all([readFile(source, 'utf8'), readFile(DEMO_SOURCE_FILE, 'utf8')]);
  if (given !== demo) return false;
  const [mapping, demoMapping] = await Promise.all([
    loadMappingFile(mappingFile),
    loadMappingFile(DEMO_MAPPING_FILE),
  ]);
  return JSON.stringify([...mapping]) === JSON.stringify([...demoMapping]);
}

async function verifyDemo(
  readBack: DemoReadBack | undefined,
  summary: Parameters<DemoReadBack['verify']>[0],
): Promise<{ ok: boolean; report: string } | undefined> {
  return readBack ? readBack.verify(summary) : undefined;
}

function progressEvents(
  run: UiRun,
  say: (line: string) => void,
  rate: () => Pick<RunProgress, 'requests' | 'requestsPerSecond' | 'budget'>,
): ProgressReporter {
  let sent = 0;
  let lastAt = -Infinity;
  return {
    update: (snapshot) => {
      const { tally } = snapshot;
      // Per request would be an event per write, each kept for the page to replay: a few a second
      // move the bar as well. New rejections and the end always go out, so the page misses none.
      const now = performance.now();
      const hasNews = tally.rejections.length > sent || snapshot.done >= snapshot.expected;
      if (!hasNews && now - lastAt < PROGRESS_EVENT_INTERVAL_MS) return;
      lastAt = now;
      const rejections = tally.rejections.slice(sent);
      sent = tally.rejections.length;
      const { records, applied, deleted, ignoredDeletes, unchanged, rejected, pending, batches, retries } =
        tally;
      const { created, versioned, queued, held } = tally;
      run.emit({
        type: 'progress',
        data: {
          percent: snapshot.percent,
          done: snapshot.done,
          expected: snapshot.expected,
          expectedIsExact: snapshot.expectedIsExact,
          recordsPerSecond: snapshot.recordsPerSecond,
          etaSeconds: snapshot.etaSeconds,
          counts: {
            records,
            applied,
            deleted,
            ignoredDeletes,
            unchanged,
            created,
            versioned,
            queued,
            held,
            rejected,
            pending,
            batches,
            retries,
          },
          rejections,
          ...rate(),
        },
      });
    },
    // The page shows the totals as they move; the runner's messages carry what a batch line would.
    batchDone: () => undefined,
    note: say,
    stop: () => undefined,
  };
}
