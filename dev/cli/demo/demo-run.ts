import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'csv-parse/sync';

import { DEMO_COLUMNS, DEMO_FIXED_VALUES } from '../../examples/demo-columns';
import { DEMO_PORTAL_PATH } from '../../bynder-emulator/seed';
import type { SeedOption } from '../../bynder-emulator/server';
import type { DemoOption, PortalView, SourceRow } from './demo-expectation';
import { expectDemoOutcome, propertyOf } from './demo-expectation';
import { startEmulator } from '../../bynder-emulator/server';
import { startFileHost } from '../../file-host/server';
import { DEFAULT_RUNS_DIR } from '../sync/run-folder';
import type { EmulatorTarget } from '../sync/targets/emulator-target';
import { emulatorTarget } from '../sync/targets/emulator-target';
import {
  addFingerprintMetaproperty,
  CREATION_FILES,
  startCreationReadBack,
  writeCreationSource,
} from './demo-creation';
import { diffViews, readBackAssets, viewOfMedia } from './portal-read-back';
import type { RunSummary } from '../sync/summary/run-summary';
import { runSyncCommand } from '../sync/sync-command';
import type { SyncTarget } from '../sync/targets/sync-target';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO_FILES = {
  source: path.join(ROOT, 'examples/assets.csv'),
  mapping: path.join(ROOT, 'examples/mapping.yml'),
  settings: path.join(ROOT, 'examples/settings.yml'),
  seed: DEMO_PORTAL_PATH,
};
/** The form's highest budget, so the demo's few hundred writes take about 20 seconds. */
const DEMO_THROUGHPUT = { requests_per_second: 15, max_in_flight: 10 };
const SHOWN_DIFFERENCES = 20;

/**
 * `npm start`: syncs examples/assets.csv into the emulator seeded with the demo portal, then reads
 * every asset the file names back over the API and compares it with what the source said. Then a
 * second sync in external-key mode (examples/new-assets.csv) creates assets from files on a loopback
 * file host and versions one, and reads those back too. Exit code: the first failing sync's.
 */
export async function runDemo(): Promise<number> {
  const relative = (file: string) => path.relative(process.cwd(), file) || file;
  const emulator = await startEmulator({ port: 0, seed: DEMO_FILES.seed });
  const files = await startFileHost();
  try {
    addFingerprintMetaproperty(emulator);
    const target = emulatorTarget(emulator, relative(DEMO_FILES.seed), { stopOnFinish: false });
    const readBack = startDemoReadBack(target);
    const first = await runSyncCommand({
      source: relative(DEMO_FILES.source),
      mapping: relative(DEMO_FILES.mapping),
      settings: relative(DEMO_FILES.settings),
      target,
      settingsOverride: { throughput: DEMO_THROUGHPUT },
      banner:
        'Demo 1/2: syncing examples/assets.csv (about 280 records) into the Bynder emulator seeded with the demo portal, ' +
        `at ${DEMO_THROUGHPUT.requests_per_second} requests/s: this takes about 20 seconds. Then every asset the file names is read back.`,
      verify: (_target: SyncTarget, summary: RunSummary) => readBack.verify(summary),
    });
    if (first !== 0) return first;
    return await runCreatingSync(target, files.url, DEFAULT_RUNS_DIR);
  } finally {
    await files.stop();
    await emulator.stop();
  }
}

/**
 * The demo's second sync, against `target` (the emulator the first one wrote to, with the fingerprint
 * metaproperty added): examples/new-assets.csv with its files on `fileHostUrl`, written into `folder`.
 */
export async function runCreatingSync(
  target: EmulatorTarget,
  fileHostUrl: string,
  folder: string,
): Promise<number> {
  const relative = (file: string) => path.relative(process.cwd(), file) || file;
  const source = await writeCreationSource(fileHostUrl, folder);
  const readBack = startCreationReadBack(target.emulator, source);
  return runSyncCommand({
    source: relative(source),
    mapping: relative(CREATION_FILES.mapping),
    settings: relative(CREATION_FILES.settings),
    target,
    settingsOverride: { throughput: DEMO_THROUGHPUT },
    banner:
      'Demo 2/2: syncing examples/new-assets.csv in external-key mode (key: Internal ref): keys no asset holds ' +
      `become new assets uploaded from the loopback file host ${fileHostUrl}, and a changed file becomes a new version. ` +
      'Then each key is read back.',
    verify: (_target: SyncTarget, summary: RunSummary) => readBack.verify(summary),
  });
}

/** The demo's read-back check, armed before a sync of examples/assets.csv with examples/mapping.yml. */
export interface DemoReadBack {
  verify(summary: RunSummary): Promise<{ ok: boolean; report: string }>;
}

/** Notes the portal as it is now; verify() then compares it after the sync with what the source said. */
export function startDemoReadBack(target: EmulatorTarget): DemoReadBack {
  const properties = DEMO_COLUMNS.filter(
    (c) => c.target.kind !== 'asset-id' && c.target.kind !== 'delete-flag',
  ).map((c) => propertyOf(c.target));
  const readBackProperties = [
    ...properties,
    ...DEMO_FIXED_VALUES.map((f) => propertyOf(f.target)),
    'archive',
  ];
  const before = viewOfMedia(target.emulator.snapshot().assets, readBackProperties);
  return { verify: (summary) => verifyDemo(target, summary, before, readBackProperties) };
}

/**
 * The demo's fixed values the run saved (a run from the page may save none): the oracle applies
 * those among DEMO_FIXED_VALUES whose `field: value` line the settings held.
 */
function fixedValuesOf(saved: string): typeof DEMO_FIXED_VALUES {
  const lines = new Set(saved.split('\n').map((line) => line.replace(/\s+/g, ' ').trim()));
  return DEMO_FIXED_VALUES.filter((fixed) => lines.has(`${fixed.field}: ${fixed.value}`));
}

/** The demo's source and mapping files, which the read-back check is written for. */
export const DEMO_SOURCE_FILE = DEMO_FILES.source;
export const DEMO_MAPPING_FILE = DEMO_FILES.mapping;

async function verifyDemo(
  target: EmulatorTarget,
  summary: RunSummary,
  before: PortalView,
  properties: string[],
) {
  const { emulator } = target;
  await emulator.settle();
  const snapshot = emulator.snapshot();
  const options = new Map<string, DemoOption[]>(
    Object.values(snapshot.metaproperties).map((mp) => [mp.name.toLowerCase(), flatten(mp.options ?? [])]),
  );
  const expected = expectDemoOutcome(await readRows(DEMO_FILES.source), before, {
    columns: DEMO_COLUMNS,
    fixed: fixedValuesOf(summary.fixedValues ?? ''),
    options,
    deletePolicy: summary.deletePolicy as 'archive' | 'delete' | 'ignore',
  });
  const actual = await readBackAssets(emulator.url, emulator.token, [...expected.assets.keys()], properties);
  const differences = diffViews(expected.assets, actual);

  const lines: string[] = [
    'Read-back: the portal compared with what the source said (computed independently of the app)',
  ];
  const problems: string[] = [];
  const check = (label: string, want: number, got: number) => {
    lines.push(
      `  ${label.padEnd(18)}expected ${String(want).padStart(4)}, sync reported ${String(got).padStart(4)}  ${want === got ? 'ok' : 'MISMATCH'}`,
    );
    if (want !== got) problems.push(label);
  };
  check('applied', expected.applied, summary.applied);
  check('deleted/archived', expected.deleted, summary.deleted);
  check('rejected', expected.rejectedLines.length, summary.rejected);
  const reportedLines = new Set(summary.rejections.map((r) => r.line));
  const missed = expected.rejectedLines.filter((l) => !reportedLines.has(l));
  const extra = [...reportedLines].filter((l) => !expected.rejectedLines.includes(l));
  if (missed.length > 0 || extra.length > 0) {
    problems.push('rejected lines');
    lines.push(
      `  rejected lines differ: expected but not rejected ${missed.join(', ') || '-'}; rejected but not expected ${extra.join(', ') || '-'}`,
    );
  }
  lines.push(
    `  assets read back  ${expected.assets.size} (every asset the source names), ${properties.length} properties each`,
  );
  if (differences.length === 0) {
    lines.push(
      '  portal state      matches the source: last event wins, rejected rows changed nothing, deletes per policy',
    );
  } else {
    problems.push('portal state');
    lines.push(`  portal state      ${differences.length} difference(s):`);
    for (const d of differences.slice(0, SHOWN_DIFFERENCES)) {
      lines.push(
        `    ${d.id} ${d.property}: expected ${JSON.stringify(d.expected)}, portal has ${JSON.stringify(d.actual)}`,
      );
    }
  }
  lines.push(
    problems.length === 0 ? 'Demo result: CLEAN' : `Demo result: DIFFERENCES in ${problems.join(', ')}`,
  );
  return { ok: problems.length === 0, report: `${lines.join('\n')}\n` };
}

async function readRows(file: string): Promise<SourceRow[]> {
  const records = parse<{ record: Record<string, string>; info: { lines: number } }>(
    await readFile(file, 'utf8'),
    {
      columns: true,
      bom: true,
      info: true,
      skip_empty_lines: true,
    },
  );
  return records.map(({ record, info }) => ({ line: info.lines, cells: record }));
}

function flatten(options: readonly SeedOption[]): DemoOption[] {
  return options.flatMap((o) => [
    { name: o.name, ...(o.label ? { label: o.label } : {}) },
    ...flatten(o.options ?? []),
  ]);
}
