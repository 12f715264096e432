import { UsageError } from '../../exit-codes';

// Which character separates a CSV file's cells. Spreadsheets save "CSV" with a semicolon where the
// comma is the decimal separator, and tab-separated exports are common, so the delimiter is sniffed
// from the first lines unless `--delimiter` names it. Read with the wrong one, every row becomes a
// single cell or a broken quote.

/** The delimiters sniffed, in the order that wins a tie. */
export const SNIFFED_DELIMITERS = [',', ';', '\t', '|'] as const;

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** How many lines after the header are compared with it. */
const SAMPLE_ROWS = 20;

export interface CsvDelimiter {
  delimiter: string;
  /** How it was chosen, for the line the run prints. */
  how: 'given' | 'detected' | 'default';
}

/** `semicolon (;)`, `tab (\t)`, or the character itself, for messages. */
export function describeDelimiter(delimiter: string): string {
  const name = DELIMITER_NAMES[delimiter];
  if (!name) return `"${delimiter}"`;
  return `${name} (${delimiter === '\t' ? '\\t' : delimiter})`;
}

/** The `--delimiter` value: one character, or the words comma, semicolon, tab or pipe (`\t` works for tab). */
export function parseDelimiterOption(value: string): string {
  const word = value.trim().toLowerCase();
  const named = Object.entries(DELIMITER_NAMES).find(([, name]) => name === word)?.[0];
  if (named) return named;
  if (value === '\\t') return '\t';
  if (value.length === 1 && !['"', '\r', '\n'].includes(value)) return value;
  throw new UsageError(
    `--delimiter "${value}" is not a delimiter: give one character, or comma, semicolon, tab or pipe ` +
      '(without --delimiter it is detected from the header row)',
  );
}

/**
 * The delimiter among `, ; \t |` that splits the header row into the most cells and every sampled
 * row below it into as many; quoted cells are respected. `sample` is the file's beginning;
 * `complete` says it is the whole file (otherwise its last, possibly cut, line is not compared).
 * A file whose header has one cell for every candidate is read with the comma.
 */
export function sniffDelimiter(sample: string, complete: boolean): CsvDelimiter {
  const lines = splitLines(sample.replace(/^\uFEFF/, ''));
  if (!complete && lines.length > 1) lines.pop();
  const [header, ...rows] = lines.filter((line) => line.trim() !== '').slice(0, SAMPLE_ROWS + 1);
  if (header === undefined) return { delimiter: ',', how: 'default' };
  const scored = SNIFFED_DELIMITERS.map((delimiter) => {
    const cells = countCells(header, delimiter);
    const matching = rows.filter((row) => countCells(row, delimiter) === cells).length;
    return { delimiter, cells, matching };
  }).filter((s) => s.cells > 1);
  // Most rows agreeing with the header first, then most cells; the sort is stable, so ties keep
  // the order of SNIFFED_DELIMITERS.
  scored.sort((a, b) => b.matching - a.matching || b.cells - a.cells);
  const best = scored[0];
  return best ? { delimiter: best.delimiter, how: 'detected' } : { delimiter: ',', how: 'default' };
}

/** Lines of the sample; a line break inside a quoted cell does not end a line. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (char === '\n' && !quoted) {
      lines.push(text.slice(start, i).replace(/\r$/, ''));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Cells in one line for a delimiter, outside quotes (a doubled quote inside quotes toggles twice). */
function countCells(line: string, delimiter: string): number {
  let cells = 1;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) cells += 1;
  }
  return cells;
}
