import { createReadStream } from 'node:fs';

import type { CsvError } from 'csv-parse';
import { parse } from 'csv-parse';

import { describeDelimiter } from './csv-delimiter';
import type { SourceEntry, SourceRecord } from './source-entry';
import { SourceError } from './source-entry';

interface ParsedRow {
  record: SourceRecord;
  info: { lines: number; bytes: number };
}

/**
 * Streams a CSV file with a header row, its cells separated by `delimiter`. A row that cannot be read
 * (wrong number of cells, a stray quote) becomes one `bad-line` entry and reading goes on; a broken
 * header or an unclosed quote at the end of the file ends the read with a SourceError.
 */
export async function* readCsvSource(file: string, delimiter = ','): AsyncGenerator<SourceEntry> {
  const skipped: SourceEntry[] = [];
  const describe = (error: CsvError) => describeCsvError(error, delimiter);
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      delimiter,
      columns: checkHeader,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (!error) return;
        const line = typeof error.lines === 'number' ? error.lines : 0;
        // The parser may skip several times within one line (each stray quote): one entry per line.
        if (skipped.some((entry) => entry.line === line)) return;
        skipped.push({ kind: 'bad-line', line, problem: describe(error), bytesRead: 0 });
      },
    }),
  );
  try {
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      // on_skip runs while parsing, ahead of the rows still buffered: hand back the skips that
      // come before this row, so entries stay in file order.
      yield* takeSkippedBefore(skipped, row.info.lines, row.info.bytes);
      yield { kind: 'record', line: row.info.lines, record: row.record, bytesRead: row.info.bytes };
    }
  } catch (error) {
    throw toSourceError(error, delimiter);
  }
  yield* takeSkippedBefore(skipped, Number.POSITIVE_INFINITY, 0);
}

function* takeSkippedBefore(skipped: SourceEntry[], line: number, bytesRead: number): Generator<SourceEntry> {
  skipped.sort((a, b) => a.line - b.line);
  while (skipped.length > 0 && (skipped[0]?.line ?? 0) < line) {
    const entry = skipped.shift();
    if (entry) yield { ...entry, bytesRead: Math.max(entry.bytesRead, bytesRead) };
  }
}

function checkHeader(header: unknown[]): string[] {
  const names = header.map((cell) => (typeof cell === 'string' ? cell.trim() : ''));
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === '') {
      throw new SourceError(
        `the header row (line 1) has an empty column name at position ${index + 1}; name every column`,
        1,
      );
    }
    if (seen.has(name.toLowerCase())) {
      throw new SourceError(
        `the header row (line 1) names the column "${name}" twice; column names must be unique`,
        1,
      );
    }
    seen.add(name.toLowerCase());
  });
  return names;
}

function describeCsvError(error: CsvError, delimiter: string): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return (
        `the row has a different number of cells than the header row (cells separated by ${describeDelimiter(delimiter)}); ` +
        'quote cells that contain the delimiter, or pass --delimiter'
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is not closed properly; double any quote inside a quoted cell ("")';
    default:
      return error.message;
  }
}

function toSourceError(error: unknown, delimiter: string): SourceError {
  if (error instanceof SourceError) return error;
  const csvError = error as Partial<CsvError> & Error;
  const line = typeof csvError.lines === 'number' ? csvError.lines : undefined;
  if (typeof csvError.code === 'string' && csvError.code.startsWith('CSV_')) {
    return new SourceError(
      `${describeCsvError(csvError as CsvError, delimiter)} (line ${line ?? '?'}); the rest of the file was not read`,
      line,
      {
        cause: error,
      },
    );
  }
  return new SourceError(`cannot read the source: ${csvError.message}`, line, { cause: error });
}
