import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { detectSourceFormat, openSource } from '../../dev/cli/sync/sources/open-source';
import type { SourceEntry } from '../../dev/cli/sync/sources/source-entry';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'runner-source-'));
});

async function readAll(name: string, text: string, format: 'csv' | 'jsonl'): Promise<SourceEntry[]> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  const source = await openSource(file, format);
  const entries: SourceEntry[] = [];
  for await (const entry of source.entries) entries.push(entry);
  return entries;
}

const summarise = (entries: SourceEntry[]) =>
  entries.map((e) =>
    e.kind === 'record' ? { line: e.line, record: e.record } : { line: e.line, bad: e.problem },
  );

describe('source format', () => {
  it('follows the extension, and --format wins over it', () => {
    expect(detectSourceFormat('data/a.CSV')).toBe('csv');
    expect(detectSourceFormat('a.ndjson')).toBe('jsonl');
    expect(detectSourceFormat('a.txt', 'jsonl')).toBe('jsonl');
  });

  it('refuses an extension it cannot read, saying how to fix it', () => {
    expect(() => detectSourceFormat('a.xlsx')).toThrow(
      /name it \.csv, \.jsonl or \.ndjson, or pass --format/,
    );
    expect(() => detectSourceFormat('a.csv', 'xml')).toThrow(/--format "xml" is not supported/);
  });
});

describe('CSV source', () => {
  it('reads rows by header, keeps quoted commas and line breaks, and numbers records by the line they end on', async () => {
    const entries = await readAll('a.csv', '\uFEFFid,text\n1,"a, b"\n2,"two\nlines"\n\n3,plain\n', 'csv');
    expect(summarise(entries)).toEqual([
      { line: 2, record: { id: '1', text: 'a, b' } },
      { line: 4, record: { id: '2', text: 'two\nlines' } },
      { line: 6, record: { id: '3', text: 'plain' } },
    ]);
  });

  it('reports a row with the wrong number of cells by line number and reads on', async () => {
    const entries = await readAll('b.csv', 'id,text\n1,ok\n2,too,many\n3,fine\n', 'csv');
    expect(summarise(entries)).toEqual([
      { line: 2, record: { id: '1', text: 'ok' } },
      { line: 3, bad: expect.stringContaining('different number of cells') as string },
      { line: 4, record: { id: '3', text: 'fine' } },
    ]);
  });

  it('refuses a header that names a column twice', async () => {
    await expect(readAll('c.csv', 'id,Text,text\n1,a,b\n', 'csv')).rejects.toThrow(
      /names the column "text" twice/,
    );
  });

  it('says in words why a file cannot be read: missing, or a folder', async () => {
    await expect(openSource(path.join(dir, 'nope.csv'), 'csv')).rejects.toThrow(
      /^--source ".*nope\.csv" does not exist; check the path/,
    );
    await expect(openSource(dir, 'csv')).rejects.toThrow(/" is a folder, not a file; name a file inside it$/);
  });

  it('reads a semicolon- or tab-separated file by the delimiter its header row uses', async () => {
    const semicolon = await readAll('semi.csv', 'id;text\n1;"a; b, c"\n2;two, words\n', 'csv');
    expect(summarise(semicolon)).toEqual([
      { line: 2, record: { id: '1', text: 'a; b, c' } },
      { line: 3, record: { id: '2', text: 'two, words' } },
    ]);
    const tab = await readAll('tab.csv', 'id\ttext\n1\ta, b; c\n', 'csv');
    expect(summarise(tab)).toEqual([{ line: 2, record: { id: '1', text: 'a, b; c' } }]);
  });

  it('reports a line with several stray quotes once', async () => {
    const entries = await readAll('quotes.csv', 'id,text\n1,a "b" "c" "d"\n2,fine\n', 'csv');
    expect(summarise(entries)).toEqual([
      { line: 2, bad: expect.any(String) as string },
      { line: 3, record: { id: '2', text: 'fine' } },
    ]);
  });
});

describe('JSON Lines source', () => {
  it('reads one object per line, skips blank lines, and reports non-objects and broken JSON by line', async () => {
    const entries = await readAll(
      'a.jsonl',
      '{"id":"1","n":2}\n\nnot json\n[1]\nnull\n{"id":"2","_isDeleted":true}\n',
      'jsonl',
    );
    expect(summarise(entries)).toEqual([
      { line: 1, record: { id: '1', n: 2 } },
      { line: 3, bad: expect.stringContaining('not valid JSON') as string },
      { line: 4, bad: expect.stringContaining('got an array') as string },
      { line: 5, bad: expect.stringContaining('got null') as string },
      { line: 6, record: { id: '2', _isDeleted: true } },
    ]);
  });

  it('tracks bytes read, so progress reaches the file size', async () => {
    const text = '{"a":1}\n{"a":2}\n';
    const entries = await readAll('b.jsonl', text, 'jsonl');
    expect(entries.at(-1)?.bytesRead).toBe(Buffer.byteLength(text));
  });
});
