import { open, stat } from 'node:fs/promises';
import path from 'node:path';

import { UsageError } from '../../exit-codes';
import { describeFileProblem, describeNotAFile } from '../../file-problem';
import type { CsvDelimiter } from './csv-delimiter';
import { describeDelimiter, sniffDelimiter } from './csv-delimiter';
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
      throw new UsageError(
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
  /** CSV only: the cell delimiter, given or detected from the first lines. */
  delimiter?: CsvDelimiter;
  /** The first bytes hold nothing but white space (or nothing at all). */
  blank: boolean;
  entries: AsyncGenerator<SourceEntry>;
}

export interface OpenSourceOptions {
  /** CSV only: the delimiter from `--delimiter`; unset, it is detected. */
  delimiter?: string;
}

/** Bytes read from the start of a CSV file to detect its delimiter. */
const SNIFF_BYTES = 64 * 1024;

/** Checks the file is there and readable, then streams its entries (memory stays flat). */
export async function openSource(
  file: string,
  format: SourceFormat,
  options: OpenSourceOptions = {},
): Promise<OpenedSource> {
  if (options.delimiter !== undefined && format !== 'csv') {
    throw new UsageError('--delimiter applies to CSV sources only; a JSON Lines source has no delimiter');
  }
  let size: number;
  let sample: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new SourceError(describeNotAFile('--source', file, info.isDirectory()));
    size = info.size;
    // Reading the first bytes also proves the file is readable (permissions), before any run starts.
    sample = await readStart(file, SNIFF_BYTES);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(describeFileProblem('--source', file, error), undefined, { cause: error });
  }
  const blank = sample.replace(/^\uFEFF/, '').trim() === '';
  if (format === 'jsonl') return { file, format, size, blank, entries: readJsonlSource(file) };
  const delimiter: CsvDelimiter =
    options.delimiter !== undefined
      ? { delimiter: options.delimiter, how: 'given' }
      : sniffDelimiter(sample, size <= SNIFF_BYTES);
  return { file, format, size, delimiter, blank, entries: readCsvSource(file, delimiter.delimiter) };
}

/** One line saying how the source is read, e.g. `source: a.csv, CSV, cells separated by semicolon (;), detected`. */
export function describeOpenedSource(source: OpenedSource): string {
  if (!source.delimiter) return `source: ${source.file}, JSON Lines`;
  const how = {
    given: 'as --delimiter says',
    detected: 'detected from the header row',
    default: 'the default',
  };
  return `source: ${source.file}, CSV, cells separated by ${describeDelimiter(source.delimiter.delimiter)} (${how[source.delimiter.how]})`;
}

/** Why a source that yielded no entry at all is refused. */
export function describeNoRecords(source: OpenedSource): string {
  const why =
    source.size === 0
      ? 'the file is empty'
      : source.blank
        ? 'it holds only blank lines'
        : source.format === 'csv'
          ? 'it has a header row but no rows below it'
          : 'it holds only blank lines';
  return `--source "${source.file}" has no records: ${why}. Nothing was sent; point --source at a file with at least one record.`;
}

async function readStart(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
