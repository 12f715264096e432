import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXIT_CODES } from '../../dev/cli/exit-codes';
import { runCli } from '../helpers/run-cli';

// `sync --dry-run` as a CI job runs it, against the runner's embedded emulator (the demo portal):
// the emulator's request log (the summary's requests by route) holds reads only, the summary counts
// what the sync would do, and `--fail-on-rejections` turns a rejection into its own exit code.

/** An asset of examples/portal.json, and a campaign that is no option of it. */
const ASSET = '9693383C-3846-8F2A-712453D32EDA9D25';

interface Summary {
  dryRun: boolean;
  applied: number;
  rejected: number;
  requestDetail: { byRoute: Record<string, number> };
  rejections: Array<{ key: string; field: string; reason: string; line: number }>;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-dry-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function dryRun(lines: readonly object[]) {
  const source = path.join(dir, `source-${lines.length}.jsonl`);
  await writeFile(source, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  const result = await runCli([
    'sync',
    '--source',
    source,
    '--dry-run',
    '--fail-on-rejections',
    '--json',
    '--log-dir',
    path.join(dir, 'runs'),
  ]);
  return { code: result.code, stderr: result.stderr, summary: JSON.parse(result.stdout) as Summary };
}

describe('sync --dry-run --fail-on-rejections', () => {
  it('writes nothing, and exits with the rejections code only when a record would be rejected', async () => {
    const good = { asset_id: ASSET, description: 'changed by a dry run' };
    const bad = { asset_id: ASSET, campaign_name: 'Moon Landing 2030' };

    const withRejection = await dryRun([good, bad]);
    expect({ code: withRejection.code }).toEqual({ code: EXIT_CODES.rejections.code });
    expect(withRejection.summary).toMatchObject({ dryRun: true, rejected: 1 });
    expect(withRejection.summary.rejections[0]).toMatchObject({ field: 'campaign_name', line: 2 });
    const routes = Object.keys(withRejection.summary.requestDetail.byRoute);
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((route) => !route.startsWith('GET '))).toEqual([]);

    const clean = await dryRun([good]);
    expect({ code: clean.code }).toEqual({ code: EXIT_CODES.ok.code });
    expect(clean.summary).toMatchObject({ dryRun: true, applied: 1, rejected: 0 });
    expect(Object.keys(clean.summary.requestDetail.byRoute).every((r) => r.startsWith('GET '))).toBe(true);
  }, 60_000);
});
