import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

// Runs `sync` as a child process, as a user would, on a portal and sources the project has never
// seen (written here), and checks the JSON summary and the emulator's final state.

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

const ID = {
  updated: '11111111-AAAA-4BBB-8CCCDDDDEEEE0001',
  renamed: '11111111-AAAA-4BBB-8CCCDDDDEEEE0002',
  badOption: '11111111-AAAA-4BBB-8CCCDDDDEEEE0003',
  removed: '11111111-AAAA-4BBB-8CCCDDDDEEEE0004',
  untouched: '11111111-AAAA-4BBB-8CCCDDDDEEEE0005',
};

const portal = {
  metaproperties: {
    Season: {
      id: '22222222-AAAA-4BBB-8CCCDDDDEEEE0001',
      name: 'Season',
      label: 'Season',
      type: 'select',
      isMultiselect: false,
      isEditable: true,
      options: [
        { id: '33333333-AAAA-4BBB-8CCCDDDDEEEE0001', name: 'summer', label: 'Summer' },
        { id: '33333333-AAAA-4BBB-8CCCDDDDEEEE0002', name: 'winter', label: 'Winter' },
      ],
    },
    Shoot_location: {
      id: '22222222-AAAA-4BBB-8CCCDDDDEEEE0002',
      name: 'Shoot_location',
      label: 'Shoot location',
      type: 'text',
      isEditable: true,
    },
  },
  assets: Object.values(ID).map((id, index) => ({
    id,
    name: `Asset ${index + 1}`,
    description: 'original',
    archive: false,
    property_Season: ['summer'],
  })),
};

interface Summary {
  records: number;
  applied: number;
  rejected: number;
  deleted: number;
  pending: number;
  requests: number;
  elapsedMs: number;
  rejections: Array<{ key: string; field: string; reason: string; line: number }>;
  unmatchedColumns: string[];
  notifications: Array<{ severity: string; title: string; summary: string; details?: string }>;
}

interface State {
  assets: Array<{
    id: string;
    description?: string;
    name?: string;
    archive?: boolean | number;
    [key: string]: unknown;
  }>;
  trash: Array<{ id: string }>;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-e2e-'));
  await writeFile(path.join(dir, 'portal.json'), JSON.stringify(portal));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs with LOG_LEVEL=info, or with LOG_LEVEL unset when `logLevel` is null. */
async function sync(
  args: string[],
  logLevel: string | null = 'info',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (logLevel === null) delete env.LOG_LEVEL;
  else env.LOG_LEVEL = logLevel;
  try {
    const { stdout, stderr } = await run(
      CLI_COMMAND,
      cliArgs('sync', '--seed', path.join(dir, 'portal.json'), ...args),
      {
        cwd: ROOT,
        env,
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const assetIn = (state: State, id: string) => state.assets.find((a) => a.id === id);

describe('npm run cli -- sync (child process, emulator target)', () => {
  it('syncs a CSV by column name: applies, archives, rejects with reasons, and reports it all as JSON', async () => {
    const source = path.join(dir, 'small.csv');
    await writeFile(
      source,
      [
        'asset_id,Description,Season,Shoot location,_isDeleted,Comment',
        `${ID.updated},"New text, with a comma",Winter,Oslo,,ignored`,
        `${ID.renamed},first,summer,,,`,
        `${ID.badOption},should not land,Monsoon,,,`,
        `${ID.removed},,,,yes,`,
        `,no key at all,winter,,,`,
        `${ID.renamed},second wins,winter,,,`,
        '',
      ].join('\n'),
    );
    const stateFile = path.join(dir, 'state.json');

    const result = await sync(['--source', source, '--json', '--dump-state', stateFile]);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ records: 6, applied: 3, deleted: 1, rejected: 2, pending: 0 });
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.elapsedMs).toBeGreaterThan(0);
    expect(summary.unmatchedColumns).toEqual(['Comment']);
    expect(summary.rejections).toEqual([
      expect.objectContaining({
        key: ID.badOption,
        field: 'season',
        line: 4,
        reason: expect.stringContaining('Monsoon'),
      }),
      expect.objectContaining({ key: '', field: 'asset_id', line: 6 }),
    ]);
    // What the app sent to the Activity Log: one notice summarising the batch's two rejections.
    expect(summary.notifications).toEqual([
      expect.objectContaining({ severity: 'warn', title: expect.stringMatching(/: 2 records rejected$/) }),
    ]);
    expect(summary.notifications[0]?.summary).toContain('1 × season: "…" is not an option');
    expect(summary.notifications[0]?.details).toContain(ID.badOption);

    const state = JSON.parse(await readFile(stateFile, 'utf8')) as State;
    expect(assetIn(state, ID.updated)).toMatchObject({
      description: 'New text, with a comma',
      property_Season: ['winter'],
      property_Shoot_location: 'Oslo',
    });
    expect(assetIn(state, ID.renamed)).toMatchObject({
      description: 'second wins',
      property_Season: ['winter'],
    });
    expect(assetIn(state, ID.badOption)).toMatchObject({
      description: 'original',
      property_Season: ['summer'],
    });
    expect(assetIn(state, ID.removed)?.archive).toBeTruthy();
    expect(assetIn(state, ID.untouched)).toMatchObject({ description: 'original', archive: false });
  });

  it('delivers from worker processes at once with --workers, and ties each rejection to its own batch', async () => {
    const source = path.join(dir, 'workers.csv');
    // Batches of 2 on 2 workers: the bad record (line 4) shares its key with a good one delivered at
    // the same time by the other worker (line 3), so only the batch's own log entries may count.
    await writeFile(
      source,
      [
        'asset_id,Description,Season,_isDeleted',
        `${ID.updated},from a worker,winter,`,
        `${ID.renamed},first,summer,`,
        `${ID.renamed},never lands,Monsoon,`,
        `${ID.removed},,,yes`,
        `${ID.badOption},fine now,winter,`,
        '',
      ].join('\n'),
    );
    const stateFile = path.join(dir, 'state-workers.json');

    const result = await sync([
      '--source',
      source,
      '--workers',
      '2',
      '--batch-size',
      '2',
      '--json',
      '--dump-state',
      stateFile,
    ]);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary & { workers: number; rateLimited: number };
    expect(summary).toMatchObject({
      records: 5,
      applied: 3,
      deleted: 1,
      rejected: 1,
      pending: 0,
      workers: 2,
      rateLimited: 0,
    });
    expect(summary.rejections).toEqual([
      expect.objectContaining({ key: ID.renamed, field: 'season', line: 4 }),
    ]);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as State;
    expect(assetIn(state, ID.updated)).toMatchObject({ description: 'from a worker' });
    expect(assetIn(state, ID.renamed)).toMatchObject({ description: 'first', property_Season: ['summer'] });
    expect(assetIn(state, ID.badOption)).toMatchObject({ description: 'fine now' });
    expect(assetIn(state, ID.removed)?.archive).toBeTruthy();
  }, 60_000); // the CLI and two worker processes, each loading the app: seconds alone, more when loaded

  it('syncs JSON Lines through a mapping file with the delete policy "delete", and counts bad lines as rejected', async () => {
    const source = path.join(dir, 'events.jsonl');
    await writeFile(
      source,
      [
        JSON.stringify({ id: ID.updated, text: 'from jsonl', when: 'summer' }),
        'this is not json',
        JSON.stringify([1, 2]),
        JSON.stringify({ id: ID.removed, _isDeleted: true }),
        '',
      ].join('\n'),
    );
    const mapping = path.join(dir, 'mapping.yml');
    await writeFile(mapping, 'id: asset_id\ntext: description\nwhen: Season\n');
    const stateFile = path.join(dir, 'state-jsonl.json');

    const result = await sync([
      '--source',
      source,
      '--mapping',
      mapping,
      '--delete-policy',
      'delete',
      '--json',
      '--dump-state',
      stateFile,
    ]);

    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary).toMatchObject({ records: 4, applied: 1, deleted: 1, rejected: 2, pending: 0 });
    expect(summary.rejections.map((r) => r.line)).toEqual([2, 3]);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as State;
    expect(assetIn(state, ID.updated)).toMatchObject({
      description: 'from jsonl',
      property_Season: ['summer'],
    });
    expect(assetIn(state, ID.removed)).toBeUndefined();
    expect(state.trash.map((a) => a.id)).toContain(ID.removed);
  });

  it('logs the app at info, not debug, when LOG_LEVEL is not set', async () => {
    // The SDK reads LOG_LEVEL once, when it loads: a default set later would leave it at debug.
    const source = path.join(dir, 'quiet.csv');
    await writeFile(source, `asset_id,description\n${ID.untouched},quiet\n`);

    const result = await sync(['--source', source, '--json'], null);

    expect(result.code).toBe(0);
    const { appLog } = JSON.parse(result.stdout) as { appLog: string };
    const levels = (await readFile(appLog, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { level: string }).level);
    expect(levels).toContain('info');
    expect(levels).not.toContain('debug');
  });

  it('refuses a mapping to a field the destination does not have, naming the valid fields, and exits non-zero', async () => {
    const source = path.join(dir, 'one.csv');
    await writeFile(source, `asset_id,text\n${ID.updated},x\n`);
    const mapping = path.join(dir, 'bad-mapping.yml');
    await writeFile(mapping, 'asset_id: asset_id\ntext: headline\n');

    const result = await sync(['--source', source, '--mapping', mapping, '--json']);

    expect(result.code).toBe(2);
    const answer = JSON.parse(result.stdout) as { error: string };
    expect(answer.error).toContain('"headline", which is not a destination field');
    expect(answer.error).toContain('description');
  });
});
