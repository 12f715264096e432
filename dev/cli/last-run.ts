import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { z } from 'zod';

import { APP_KV_ROWS } from '../../src/lib/state/kv-rows';
import { redactSecrets } from '../../src/lib/redact';
import type { KeyValueStore } from '../../src/lib/runtime-ports';
import { describeFileProblem } from './file-problem';

// The app's kvStore rows as a local run left them. A run's stores live in its own process (and its
// workers') and vanish when it ends, so `sync` saves them here and `outbox` reads them back: what
// the app parked during the last local run can be looked at afterwards. Settings and secrets are not
// kept (secrets never leave the run).

/** Where the last run's stores go; `BYNDER_LAST_RUN_FILE` moves it (tests keep theirs apart). */
export function lastRunFile(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.BYNDER_LAST_RUN_FILE?.trim();
  if (chosen) return path.resolve(chosen);
  // Beside the other tools' caches: per checkout, outside git, removed with node_modules.
  return path.join(__dirname, '../../node_modules/.cache/bynder-asset-sync/last-run.json');
}

const lastRunSchema = z.object({
  finishedAt: z.string(),
  source: z.string(),
  target: z.string(),
  kvStore: z.record(z.string(), z.unknown()),
});

export type LastRun = z.infer<typeof lastRunSchema>;

/**
 * Saves every kvStore row the app keeps (kv-rows.ts), with what the run was; returns the file.
 * The app keeps secrets out of its rows; every text is redacted again here all the same, since
 * this file outlives the run.
 */
export async function saveLastRun(
  kvStore: KeyValueStore,
  run: { source: string; target: string; secrets: readonly string[] },
  file = lastRunFile(),
): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const row of APP_KV_ROWS) {
    const value = await kvStore.get(row.key);
    if (Object.keys(value).length > 0) rows[row.key] = redactTexts(value, run.secrets);
  }
  const saved: LastRun = {
    finishedAt: new Date().toISOString(),
    source: run.source,
    target: redactSecrets(run.target, run.secrets),
    kvStore: rows,
  };
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside, then renamed: a reader never sees half a file.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(saved, null, 2)}\n`);
  await rename(partial, file);
  return file;
}

function redactTexts(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactTexts(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactTexts(v, secrets)]));
  }
  return value;
}

/** The last run's stores, or undefined when no run has saved any; a damaged file says why. */
export async function readLastRun(file = lastRunFile()): Promise<LastRun | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(describeFileProblem('the last run file', file, error), { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checked = lastRunSchema.safeParse(parsed);
  if (!checked.success) {
    throw new Error(`the last run file "${file}" is damaged; delete it and run the sync again`);
  }
  return checked.data;
}
