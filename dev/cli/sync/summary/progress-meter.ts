import type { RunTally } from './run-tally';

// How far a run is, per request rather than per batch: records already in a bucket of the tally,
// plus, for each batch still in flight, the writes Bynder has accepted so far (each one carries out
// one record). A record that needs no write (change detection found it unchanged) counts only when
// its batch ends, so the figure is a floor. The total is extrapolated from the bytes of the source
// read so far, since the source is streamed and never counted first.

export interface ProgressSnapshot {
  tally: RunTally;
  /** Records in a bucket, plus accepted writes of batches in flight. */
  done: number;
  /** Records the source holds: exact once it has been read to the end, else an estimate. */
  expected: number;
  expectedIsExact: boolean;
  /** 0 to 100, of `expected`. */
  percent: number;
  /** `done` per second since the first batch started (settings and the field list excluded). */
  recordsPerSecond: number;
  /** Seconds left at that rate; undefined before the first record is done. */
  etaSeconds: number | undefined;
}

export class ProgressMeter {
  private readonly inFlight = new Map<number, { size: number; writes: number }>();
  private firstBatchAt: number | undefined;
  private bytesRead = 0;
  private sourceEnded = false;

  public constructor(
    private readonly totalBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  public read(bytesRead: number): void {
    this.bytesRead = Math.max(this.bytesRead, bytesRead);
  }

  public sourceDone(): void {
    this.sourceEnded = true;
  }

  public startBatch(batch: number, size: number): void {
    this.firstBatchAt ??= this.now();
    this.inFlight.set(batch, { size, writes: 0 });
  }

  /** Bynder accepted one write of this batch. */
  public wrote(batch: number): void {
    const entry = this.inFlight.get(batch);
    if (entry) entry.writes += 1;
  }

  /** The batch's records are in the tally now. */
  public endBatch(batch: number): void {
    this.inFlight.delete(batch);
  }

  public snapshot(tally: RunTally): ProgressSnapshot {
    const settled = tally.applied + tally.deleted + tally.ignoredDeletes + tally.rejected + tally.pending;
    let writing = 0;
    for (const { size, writes } of this.inFlight.values()) writing += Math.min(size, writes);
    const done = settled + writing;
    const exact = this.sourceEnded || this.totalBytes <= 0;
    const estimated =
      this.bytesRead > 0 ? Math.round((tally.records * this.totalBytes) / this.bytesRead) : tally.records;
    const expected = Math.max(done, exact ? tally.records : Math.max(tally.records, estimated));
    const seconds = this.firstBatchAt === undefined ? 0 : (this.now() - this.firstBatchAt) / 1000;
    const recordsPerSecond = seconds > 0 ? done / seconds : 0;
    return {
      tally,
      done,
      expected,
      expectedIsExact: exact,
      percent: expected > 0 ? Math.min(100, Math.floor((done / expected) * 100)) : 100,
      recordsPerSecond,
      etaSeconds: recordsPerSecond > 0 ? (expected - done) / recordsPerSecond : undefined,
    };
  }
}
