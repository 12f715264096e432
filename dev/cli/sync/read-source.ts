import { stat } from 'node:fs/promises';

import { readCsvSource } from './read-csv-source';
import { readJsonlSource } from './read-jsonl-source';
import type { SourceEntry } from './source-entry';
import { SourceError } from './source-entry';
import type { SourceFormat } from './source-format';

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
