import { stat } from 'node:fs/promises';
import path from 'node:path';

import { readCsvSource } from './read-csv';
import { readJsonlSource } from './read-jsonl';
import type { SourceEntry } from './source-entry';
import { SourceError } from './source-entry';

// Which format a source file is, and its entries streamed by the reader for that format.

const SOURCE_FORMATS = ['csv', 'jsonl'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format named by `--format`, or else the one the file's extension implies. */
export function detectSourceFormat(file: string, explicit?: string): SourceFormat {
  if (explicit !== undefined) {
    const wanted = explicit.toLowerCase() === 'ndjson' ? 'jsonl' : explicit.toLowerCase();
    const named = SOURCE_FORMATS.find((f) => f === wanted);
    if (!named) {
      throw new Error(
        `--format "${explicit}" is not supported; use csv or jsonl (JSON Lines, one object per line)`,
      );
    }
    return named;
  }
  const extension = path.extname(file).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (!format) {
    throw new Error(
      `cannot tell the format of "${path.basename(file)}" from its extension "${extension || '(none)'}"; ` +
        'name it .csv, .jsonl or .ndjson, or pass --format csv|jsonl',
    );
  }
  return format;
}

export interface OpenedSource {
  file: string;
  format: SourceFormat;
  /** Size in bytes, for progress (entries carry `bytesRead`). */
  size: number;
  entries: AsyncGenerator<SourceEntry>;
}

/** Checks the file is there and readable, then streams its entries (memory stays flat). */
export async function openSource(file: string, format: SourceFormat): Promise<OpenedSource> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new SourceError(`--source "${file}" is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(
      `--source "${file}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return { file, format, size, entries: format === 'csv' ? readCsvSource(file) : readJsonlSource(file) };
}
