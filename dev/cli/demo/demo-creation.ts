import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import axios from 'axios';
import { parse } from 'csv-parse/sync';

import type { RunningEmulator } from '../../bynder-emulator/server';
import type { MediaFile } from '../../bynder-emulator/state';
import type { RunSummary } from '../sync/summary/run-summary';
import { normaliseApiValue } from './demo-expectation';

// The demo's second sync: external-key mode creating assets from files on a loopback file host, and
// one new version. Its check reads the portal over Bynder's public API with plain axios (not the
// app's client), and the emulator's own record of each asset's files for the version.

const ROOT = path.resolve(__dirname, '../../..');
export const CREATION_FILES = {
  /** `FILE_HOST` in its file URLs stands for the file host the demo starts (host:port). */
  template: path.join(ROOT, 'examples/new-assets.csv'),
  mapping: path.join(ROOT, 'examples/new-assets-mapping.yml'),
  settings: path.join(ROOT, 'examples/new-assets-settings.yml'),
};
/** An asset as the API or the emulator's dump gives it: the properties by name. */
type AssetView = { id: string } & Record<string, unknown>;

const FILE_HOST_TOKEN = 'FILE_HOST';
/** The key column and the fields the check compares (Bynder property names). */
const KEY_COLUMN = 'Internal ref';
const KEY_PROPERTY = 'property_external_id';
const CHECKED: ReadonlyArray<{ column: string; property: string }> = [
  { column: 'Title', property: 'name' },
  { column: 'Summary', property: 'description' },
  { column: 'Keywords', property: 'tags' },
];

/** The text metaproperty that holds each asset's file fingerprint; the demo portal lacks it. */
export const FINGERPRINT_METAPROPERTY = {
  key: 'File_source',
  value: {
    id: 'D3E0F11E-5000-4C0D-9E5F-00000000F1F1',
    name: 'file_source',
    label: 'File source',
    type: 'text',
  },
} as const;

/** Adds the fingerprint metaproperty to the emulator's portal (assets and the rest kept). */
export function addFingerprintMetaproperty(emulator: RunningEmulator): void {
  const { requests: _requests, ...state } = emulator.snapshot();
  emulator.seed({
    ...state,
    metaproperties: {
      ...state.metaproperties,
      [FINGERPRINT_METAPROPERTY.key]: FINGERPRINT_METAPROPERTY.value,
    },
  });
}

/** Writes examples/new-assets.csv with its file URLs on `fileHostUrl`, into `folder`; returns the path. */
export async function writeCreationSource(fileHostUrl: string, folder: string): Promise<string> {
  const host = new URL(fileHostUrl).host;
  const text = (await readFile(CREATION_FILES.template, 'utf8')).split(FILE_HOST_TOKEN).join(host);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, 'demo-new-assets.csv');
  await writeFile(file, text);
  return file;
}

export interface CreationReadBack {
  verify(summary: RunSummary): Promise<{ ok: boolean; report: string }>;
}

/** Notes which keys the portal holds now and their files; verify() checks the portal after the sync. */
export function startCreationReadBack(emulator: RunningEmulator, source: string): CreationReadBack {
  const before = emulator.snapshot().assets;
  const filesBefore = new Map(before.map((asset) => [asset.id, filesOf(asset).length]));
  const idOfKey = new Map(
    before
      .filter((asset) => typeof asset[KEY_PROPERTY] === 'string')
      .map((a) => [String(a[KEY_PROPERTY]), a.id]),
  );
  return {
    verify: async (summary) => {
      await emulator.settle();
      const rows = parse<Record<string, string>>(await readFile(source, 'utf8'), {
        columns: true,
        bom: true,
        skip_empty_lines: true,
      });
      const lines: string[] = ['Read-back of the creating sync: each key looked up over the API'];
      const problems: string[] = [];
      const newKeys = rows.filter((row) => !idOfKey.has(row[KEY_COLUMN] ?? ''));
      const versionedKeys = rows.filter((row) => idOfKey.has(row[KEY_COLUMN] ?? ''));
      const check = (label: string, want: number, got: number) => {
        lines.push(
          `  ${label.padEnd(18)}expected ${String(want).padStart(4)}, sync reported ${String(got).padStart(4)}  ${want === got ? 'ok' : 'MISMATCH'}`,
        );
        if (want !== got) problems.push(label);
      };
      check('created', newKeys.length, summary.created);
      check('versioned', versionedKeys.length, summary.versioned);
      check('queued', 0, summary.queued);
      const snapshot = new Map(emulator.snapshot().assets.map((asset) => [asset.id, asset]));
      for (const row of rows) {
        const key = row[KEY_COLUMN] ?? '';
        const found = await searchByKey(emulator, key);
        if (found.length !== 1) {
          problems.push(`key ${key}`);
          lines.push(`  ${key.padEnd(12)}${found.length} assets hold this key, expected exactly 1`);
          continue;
        }
        const asset = found[0] as AssetView;
        // An empty cell leaves the asset's value (empty_values: leave), so only filled cells are compared.
        const wrong = CHECKED.filter(
          ({ column, property }) =>
            (row[column] ?? '') !== '' &&
            normaliseApiValue(property, asset[property]) !== normaliseCell(property, row[column] ?? ''),
        ).map(
          ({ property }) => `${property} is ${JSON.stringify(normaliseApiValue(property, asset[property]))}`,
        );
        const previousId = idOfKey.get(key);
        const files = filesOf(snapshot.get(asset.id));
        let what: string;
        if (previousId === undefined) {
          what = 'created';
          if (files.length !== 1) wrong.push(`${files.length} files, expected the 1 it was created from`);
        } else {
          what = 'new version';
          if (asset.id !== previousId) wrong.push(`found on ${asset.id}, not on the asset that held the key`);
          const added = files.length - (filesBefore.get(previousId) ?? 0);
          if (added !== 1) wrong.push(`${added} new files, expected 1`);
        }
        const fileName = path.basename(new URL(row.File ?? '', 'http://x').pathname);
        const active = files.find((file) => file.active);
        if (active?.fileName !== fileName) {
          wrong.push(`active file is ${active?.fileName ?? 'none'}, expected ${fileName}`);
        }
        if (wrong.length > 0) problems.push(`key ${key}`);
        lines.push(
          `  ${key.padEnd(12)}${what.padEnd(12)}${asset.id}  ${wrong.length === 0 ? "holds the record's values and file" : wrong.join('; ')}`,
        );
      }
      lines.push(
        problems.length === 0
          ? 'Creation result: CLEAN'
          : `Creation result: DIFFERENCES in ${problems.join(', ')}`,
      );
      return { ok: problems.length === 0, report: `${lines.join('\n')}\n` };
    },
  };
}

async function searchByKey(emulator: RunningEmulator, key: string): Promise<AssetView[]> {
  const response = await axios.get<AssetView[]>(`${emulator.url}/api/v4/media/`, {
    params: { [KEY_PROPERTY]: key },
    headers: { Authorization: `Bearer ${emulator.token}` },
    timeout: 10_000,
  });
  return response.data;
}

function normaliseCell(property: string, cell: string): string {
  return normaliseApiValue(property, property === 'tags' ? cell.split(',') : cell);
}

function filesOf(asset: AssetView | undefined): MediaFile[] {
  const items = asset?.mediaItems;
  return Array.isArray(items) ? (items as MediaFile[]) : [];
}
