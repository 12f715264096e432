import path from 'node:path';

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
