import { describe, expect, it } from 'vitest';

import { ProgressMeter } from '../../dev/cli/sync/summary/progress-meter';
import { createProgressReporter, inBatchOrder } from '../../dev/cli/sync/summary/progress-reporter';
import { RunTally } from '../../dev/cli/sync/summary/run-tally';

// The runner's progress: it moves per accepted write, not per batch, and batch lines come out once
// each, in batch order, however the workers finish them.

describe('batch lines in batch order', () => {
  it('holds a batch that ends early until every lower batch has ended, and writes each once', () => {
    const written: string[] = [];
    const lines = inBatchOrder((line) => written.push(line));
    lines.add(2, 'batch 2');
    lines.add(3, 'batch 3');
    expect(written).toEqual([]);
    lines.add(1, 'batch 1');
    lines.add(2, 'batch 2 again');
    lines.add(5, 'batch 5');
    expect(written).toEqual(['batch 1', 'batch 2', 'batch 3']);
    lines.flush();
    expect(written).toEqual(['batch 1', 'batch 2', 'batch 3', 'batch 5']);
  });
});

describe('progress meter', () => {
  it('counts accepted writes of batches in flight, at most one per record, until the batch is tallied', () => {
    let now = 0;
    const meter = new ProgressMeter(1000, () => now);
    const tally = new RunTally();
    tally.records = 20;
    meter.read(500); // half the source's bytes read: about 40 records in all
    meter.startBatch(1, 10);
    meter.startBatch(2, 10);
    now = 2000;
    for (let i = 0; i < 3; i++) meter.wrote(1);
    meter.wrote(2);
    let snapshot = meter.snapshot(tally);
    expect(snapshot).toMatchObject({ done: 4, expected: 40, expectedIsExact: false, percent: 10 });
    expect(snapshot.recordsPerSecond).toBe(2);
    expect(snapshot.etaSeconds).toBe(18);

    for (let i = 0; i < 15; i++) meter.wrote(2); // retries write again: never more than the batch holds
    tally.count('applied', 10);
    meter.endBatch(1);
    meter.sourceDone();
    snapshot = meter.snapshot(tally);
    expect(snapshot).toMatchObject({ done: 20, expected: 20, expectedIsExact: true, percent: 100 });
  });

  it('has no rate and no ETA before the first record is done', () => {
    const snapshot = new ProgressMeter(100, () => 0).snapshot(new RunTally());
    expect(snapshot).toMatchObject({ done: 0, recordsPerSecond: 0, etaSeconds: undefined });
  });
});

describe('plain progress lines', () => {
  it('writes a line per update when the interval is 0, and no two lines alike', () => {
    const written: string[] = [];
    let now = 0;
    const meter = new ProgressMeter(100, () => now);
    const tally = new RunTally();
    tally.records = 4;
    meter.startBatch(1, 4);
    const reporter = createProgressReporter({
      terminal: process.stderr,
      interactive: false,
      write: (text) => written.push(text),
      intervalMs: 0,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) {
      now += 1000;
      meter.wrote(1);
      reporter.update(meter.snapshot(tally));
    }
    reporter.update(meter.snapshot(tally));
    expect(written).toHaveLength(3);
    expect(written[2]).toMatch(/^progress: 3 of ~4 records \(75%\), 1\.0 records\/s, ETA 1 s/);
  });

  it('writes at most one line per interval', () => {
    const written: string[] = [];
    let now = 0;
    const meter = new ProgressMeter(100, () => now);
    const tally = new RunTally();
    tally.records = 10;
    meter.startBatch(1, 10);
    const reporter = createProgressReporter({
      terminal: process.stderr,
      interactive: false,
      write: (text) => written.push(text),
      intervalMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 10; i++) {
      now += 300;
      meter.wrote(1);
      reporter.update(meter.snapshot(tally));
    }
    expect(written).toHaveLength(3); // at 300, 1500 and 2700 ms
  });
});
