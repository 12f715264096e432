// What a source reader yields, one entry per record (or per bad record), in file order.

/** A record as read from the source: column (or JSON key) to value. CSV values are strings. */
export type SourceRecord = Record<string, unknown>;

export type SourceEntry =
  /** `line`: the 1-based line where the record ends (CSV records may span lines). */
  | { kind: 'record'; line: number; record: SourceRecord; bytesRead: number }
  /** A line the reader could not turn into a record; the run reports it and goes on. */
  | { kind: 'bad-line'; line: number; problem: string; bytesRead: number };

/** The source cannot be read any further (missing file, broken header, unclosed quote). */
export class SourceError extends Error {
  public override name = 'SourceError';
  public constructor(
    message: string,
    public readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
