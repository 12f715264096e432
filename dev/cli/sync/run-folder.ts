import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

// Each run of `sync` (and `demo`) keeps its files, the app's log and the rejections, in a folder
// of its own that outlives it, so the paths the summary prints stay readable after the run and no
// temporary folder is left behind. Only the latest runs are kept.

/** Where runs keep their files unless --log-dir says otherwise, relative to the working directory. */
export const DEFAULT_RUNS_DIR = '.sync-runs';
/** Run folders kept in the runs folder; older ones are removed when a run starts. */
export const KEPT_RUNS = 20;
const RUN_FOLDER = /^run-\d{4}-\d{2}-\d{2}T[\d-]+Z-\d+$/;

/** Creates this run's folder under `runsDir` and removes all but the latest KEPT_RUNS; absolute path. */
export async function openRunFolder(runsDir: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const folder = path.resolve(runsDir, `run-${stamp}-${process.pid}`);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `--log-dir: cannot create a run folder in "${runsDir}" (${reason}); pass a writable folder`,
    );
  }
  const runs = (await readdir(runsDir)).filter((name) => RUN_FOLDER.test(name)).sort();
  await Promise.all(
    runs
      .slice(0, Math.max(0, runs.length - KEPT_RUNS))
      .map((name) => rm(path.join(runsDir, name), { recursive: true, force: true })),
  );
  return folder;
}
