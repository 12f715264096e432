import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import type { SourceEntry } from './source-entry';
import { SourceError } from './source-entry';

/**
 * Streams a JSON Lines file: one JSON object per line; blank lines are skipped. A line that is not
 * JSON, or is JSON but not an object, becomes a `bad-line` entry and reading goes on.
 */
export async function* readJsonlSource(file: string): AsyncGenerator<SourceEntry> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let bytesRead = 0;
  try {
    for await (const text of lines) {
      line += 1;
      bytesRead += Buffer.byteLength(text, 'utf8') + 1;
      const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
      if (trimmed === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        yield {
          kind: 'bad-line',
          line,
          problem: `not valid JSON (${detail}); each line must be one JSON object`,
          bytesRead,
        };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
        yield {
          kind: 'bad-line',
          line,
          problem: `expected a JSON object, got ${got}; each line must be one object`,
          bytesRead,
        };
        continue;
      }
      yield { kind: 'record', line, record: value as Record<string, unknown>, bytesRead };
    }
  } catch (error) {
    throw new SourceError(
      `cannot read the source: ${error instanceof Error ? error.message : String(error)}`,
      line,
      {
        cause: error,
      },
    );
  }
}
