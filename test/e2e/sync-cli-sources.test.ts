import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exitCode } from '../../dev/cli/exit-codes';
import { runCli } from '../helpers/run-cli';

// The traps a new user falls into with a source file, each run as `npm run cli -- sync` in a child
// process against a small portal: every one must end in a clear message and the right exit code,
// or in the records read as the file means them, never in a green run that did something else.

const ID = ['66666666-AAAA-4BBB-8CCCDDDDEEEE0001', '66666666-AAAA-4BBB-8CCCDDDDEEEE0002'] as const;

const portal = {
  metaproperties: {
    Season: {
      id: '77777777-AAAA-4BBB-8CCCDDDDEEEE0001',
      name: 'Season',
      label: 'Season',
      type: 'select',
      isMultiselect: false,
      isEditable: true,
      options: [
        { id: '88888888-AAAA-4BBB-8CCCDDDDEEEE0001', name: 'summer', label: 'Summer' },
        { id: '88888888-AAAA-4BBB-8CCCDDDDEEEE0002', name: 'winter', label: 'Winter' },
      ],
    },
  },
  assets: ID.map((id, index) => ({
    id,
    name: `Asset ${index + 1}`,
    description: 'original',
    archive: false,
  })),
};

interface State {
  assets: Array<{ id: string; description?: string; property_Season?: string[] }>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-sources-'));
  await writeFile(path.join(dir, 'portal.json'), JSON.stringify(portal));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, text);
  return target;
}

const sync = (args: string[]) =>
  runCli(['sync', '--seed', path.join(dir, 'portal.json'), '--retry-pause-ms', '1', ...args]);

/** The run's refusal, from `--json`'s `{ error }`; fails the test with the output when there is none. */
function refusal(result: { stdout: string; stderr: string }): string {
  try {
    return (JSON.parse(result.stdout) as { error: string }).error;
  } catch {
    throw new Error(`no JSON refusal on stdout:\n${result.stdout}\n${result.stderr}`);
  }
}

describe('npm run cli -- sync: sources (child processes)', () => {
  it.each([
    ['semicolon', ';'],
    ['tab', '\t'],
  ])(
    'reads a %s-separated CSV by the delimiter its header uses, commas in cells included',
    async (name, d) => {
      const source = await file(
        `${name}.csv`,
        [
          `asset_id${d}description${d}Season`,
          `${ID[0]}${d}"Hello${d} world, again"${d}winter`,
          `${ID[1]}${d}plain, text${d}summer`,
          '',
        ].join('\n'),
      );
      const stateFile = path.join(dir, `${name}-state.json`);

      const result = await sync(['--source', source, '--json', '--dump-state', stateFile]);

      expect(result.code).toBe(exitCode('ok'));
      expect(JSON.parse(result.stdout)).toMatchObject({ records: 2, applied: 2, rejected: 0, pending: 0 });
      expect(result.stderr).toContain(`cells separated by ${name}`);
      const state = JSON.parse(await readFile(stateFile, 'utf8')) as State;
      expect(state.assets.find((a) => a.id === ID[0])).toMatchObject({
        description: `Hello${d} world, again`,
        property_Season: ['winter'],
      });
      expect(state.assets.find((a) => a.id === ID[1])).toMatchObject({ description: 'plain, text' });
    },
  );

  it.each([
    ['an empty file', '', 'the file is empty'],
    ['a header row only', 'asset_id,description\n', 'it has a header row but no rows below it'],
  ])('refuses %s with exit 2: "no records"', async (_name, text, why) => {
    const source = await file(`empty-${text.length}.csv`, text);

    const result = await sync(['--source', source, '--json']);

    expect(result.code).toBe(exitCode('notStarted'));
    expect(refusal(result)).toContain(`has no records: ${why}`);
  });

  it('refuses a mapping whose column the source lacks, naming it and the columns the source has', async () => {
    const source = await file('titel.csv', `Asset ID,Titel\n${ID[0]},x\n`);
    const mapping = await file('titel.yml', 'Asset ID: asset_id\nTitle: name\n');

    const result = await sync(['--source', source, '--mapping', mapping, '--json']);

    expect(result.code).toBe(exitCode('notStarted'));
    const error = refusal(result);
    expect(error).toContain('does not have: "Title" (to name)');
    expect(error).toContain('Its header row has "Asset ID", "Titel"');
    expect(error).toContain('--allow-missing-columns');
  });

  it('stops a run without --mapping when a column looks like a delete flag but does not feed _isDeleted', async () => {
    const source = await file('deleted.csv', `asset_id,description,Is_Deleted\n${ID[0]},x,yes\n`);

    const result = await sync(['--source', source, '--json']);

    expect(result.code).toBe(exitCode('notStarted'));
    expect(refusal(result)).toContain(
      'column "Is_Deleted" that looks like a delete flag, but without --mapping only a column named exactly "_isDeleted" marks deletes',
    );
  });

  it('says in words why a source cannot be read, naming the path', async () => {
    const folder = path.join(dir, 'a-folder.csv');
    await mkdir(folder);

    const result = await sync(['--source', folder, '--json']);

    expect(result.code).toBe(exitCode('notStarted'));
    expect(refusal(result)).toBe(`--source "${folder}" is a folder, not a file; name a file inside it`);
    expect(result.stderr).not.toMatch(/EISDIR|ENOENT/);
  });
});
